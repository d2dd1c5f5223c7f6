//! Charts drawn as SVG where the page is rendered: no script, no external
//! assets, readable without hovering (axis values, totals above the bars, a
//! legend with each series' total).

use leptos::prelude::*;

/// One stacked series: its name in the legend, the CSS class that colours
/// it (see `.chart .s-…` in the stylesheet) and one value per bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub name: String,
    pub class: String,
    pub values: Vec<i64>,
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 18.0;
const BOTTOM: f64 = 26.0;

/// The smallest of 1, 2 or 5 × 10ⁿ at or above `v`, so the axis reads well.
pub fn nice_ceiling(v: i64) -> i64 {
    if v <= 1 {
        return 1;
    }
    let mut step = 1i64;
    loop {
        for m in [1, 2, 5] {
            if let Some(c) = step.checked_mul(m) {
                if c >= v {
                    return c;
                }
            }
        }
        match step.checked_mul(10) {
            Some(s) => step = s,
            None => return v,
        }
    }
}

/// Stacked bars, one per label, bottom to top in the order of `series`.
#[component]
pub fn StackedBars(
    /// Names the chart for screen readers.
    title: String,
    labels: Vec<String>,
    series: Vec<Series>,
    #[prop(optional, into)] empty: Option<String>,
) -> impl IntoView {
    let n = labels.len().max(1);
    let totals: Vec<i64> = (0..n).map(|i| series.iter().map(|s| s.values.get(i).copied().unwrap_or(0)).sum()).collect();
    let grand: i64 = totals.iter().sum();
    if grand == 0 {
        let text = empty.unwrap_or_else(|| "Nothing in this period.".to_string());
        return view! { <p class="empty chart-empty">{text}</p> }.into_any();
    }
    let top = nice_ceiling(totals.iter().copied().max().unwrap_or(1));
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / n as f64;
    let bar_w = (slot * 0.7).max(1.0);
    let y = move |v: i64| TOP + plot_h - (v as f64 / top as f64) * plot_h;
    let label_every = n.div_ceil(12);

    let grid = [0, top / 2, top]
        .into_iter()
        .map(|v| {
            let yy = y(v);
            view! {
                <line x1=LEFT x2=WIDTH - RIGHT y1=yy y2=yy class="grid"/>
                <text x=LEFT - 6.0 y=yy + 4.0 class="axis" text-anchor="end">{v}</text>
            }
        })
        .collect_view();

    let bars = (0..n)
        .map(|i| {
            let x = LEFT + slot * i as f64 + (slot - bar_w) / 2.0;
            let mut base = 0i64;
            let label = labels.get(i).cloned().unwrap_or_default();
            let rects = series
                .iter()
                .filter_map(|s| {
                    let v = s.values.get(i).copied().unwrap_or(0);
                    if v <= 0 {
                        return None;
                    }
                    let (y0, y1) = (y(base), y(base + v));
                    base += v;
                    let tip = format!("{label}: {} {v}", s.name);
                    Some(view! {
                        <rect x=x y=y1 width=bar_w height=(y0 - y1).max(0.5) class=s.class.clone()>
                            <title>{tip}</title>
                        </rect>
                    })
                })
                .collect_view();
            let total = totals[i];
            let show_label = i.is_multiple_of(label_every);
            view! {
                <g>
                    {rects}
                    {(total > 0).then(|| view! {
                        <text x=x + bar_w / 2.0 y=y(total) - 4.0 class="value" text-anchor="middle">{total}</text>
                    })}
                    {show_label.then(|| view! {
                        <text x=x + bar_w / 2.0 y=HEIGHT - 8.0 class="axis" text-anchor="middle">{label.clone()}</text>
                    })}
                </g>
            }
        })
        .collect_view();

    let legend = series
        .iter()
        .map(|s| {
            let sum: i64 = s.values.iter().sum();
            view! {
                <li><span class=format!("swatch {}", s.class) aria-hidden="true"></span>{s.name.clone()}" "<strong>{sum}</strong></li>
            }
        })
        .collect_view();

    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=title.clone() preserveAspectRatio="xMidYMid meet">
                {grid}
                {bars}
            </svg>
            <figcaption>
                <span class="sr-only">{title}</span>
                <ul class="legend">{legend}</ul>
            </figcaption>
        </figure>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::nice_ceiling;

    #[test]
    fn axis_tops_are_round() {
        let cases = [(0, 1), (1, 1), (2, 2), (3, 5), (7, 10), (10, 10), (11, 20), (99, 100), (101, 200), (4999, 5000)];
        for (v, want) in cases {
            assert_eq!(nice_ceiling(v), want, "{v}");
        }
    }
}
