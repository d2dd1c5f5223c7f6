//! A small incremental parser for server-sent events. The proxy forwards
//! whole events as soon as they are complete, so a client never sees half an
//! event and a malformed one can be replaced by an error event.

use axum::body::Bytes;

#[derive(Debug, Default)]
pub struct SseParser {
    buffer: Vec<u8>,
}

/// One complete event: its raw bytes (to forward) and its `data` payload.
#[derive(Debug)]
pub struct SseEvent {
    pub raw: Bytes,
    pub data: String,
}

impl SseEvent {
    /// A data payload that is neither JSON nor the `[DONE]` sentinel is garbage.
    pub fn is_well_formed(&self) -> bool {
        self.data.is_empty()
            || self.data == "[DONE]"
            || serde_json::from_str::<serde::de::IgnoredAny>(&self.data).is_ok()
    }

    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.data).ok()
    }
}

impl SseParser {
    /// Adds bytes; returns the events they complete.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        self.buffer.extend_from_slice(chunk);
        let mut events = Vec::new();
        while let Some((end, sep)) = find_boundary(&self.buffer) {
            let rest = self.buffer.split_off(end + sep);
            let raw = std::mem::replace(&mut self.buffer, rest);
            let data = data_of(&raw[..end]);
            events.push(SseEvent { raw: Bytes::from(raw), data });
        }
        events
    }

    /// Bytes of an unfinished event (an upstream that ended mid-event).
    pub fn pending(&self) -> usize {
        self.buffer.len()
    }
}

fn find_boundary(buf: &[u8]) -> Option<(usize, usize)> {
    let lf = buf.windows(2).position(|w| w == b"\n\n").map(|p| (p, 2));
    let crlf = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| (p, 4));
    match (lf, crlf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

fn data_of(event: &[u8]) -> String {
    let text = String::from_utf8_lossy(event);
    let mut data = String::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("data:") {
            if !data.is_empty() {
                data.push('\n');
            }
            data.push_str(rest.strip_prefix(' ').unwrap_or(rest));
        }
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_chunks_are_joined() {
        let mut p = SseParser::default();
        assert!(p.push(b"event: message_start\ndata: {\"a\"").is_empty());
        let evs = p.push(b":1}\n\ndata: [DONE]\n\ndata: {\"b\":");
        assert_eq!(evs.len(), 2);
        assert_eq!(evs[0].data, "{\"a\":1}");
        assert_eq!(&evs[0].raw[..], b"event: message_start\ndata: {\"a\":1}\n\n");
        assert!(evs[1].is_well_formed());
        assert!(p.pending() > 0);
    }

    #[test]
    fn crlf_boundaries_and_garbage() {
        let mut p = SseParser::default();
        let evs = p.push(b"data: {not json\r\n\r\n");
        assert_eq!(evs.len(), 1);
        assert!(!evs[0].is_well_formed());
    }
}
