//! Which addresses a call to a user-configured URL may reach: org webhook
//! endpoints and IBAC verification webhooks. Whoever can save such a URL
//! could otherwise point rampart at cloud metadata (169.254.169.254) or at
//! services only the server can see.
//!
//! The policy ([`classify`]) sorts every address into public (allowed),
//! private (loopback, RFC 1918, CGNAT, IPv6 unique local: allowed only with
//! `webhook_allow_private_networks`) and never (unspecified, link-local,
//! multicast, broadcast, documentation, benchmarking and reserved ranges).
//! An IPv6 address that carries an IPv4 address (IPv4-mapped, -compatible,
//! -translated, NAT64 `64:ff9b::/96`, 6to4) is judged by the IPv4 address.
//!
//! It is enforced where the connection is made, so a name that resolves to a
//! public address when the URL is saved and to an internal one later (DNS
//! rebinding) is still caught: [`Client`] resolves names through
//! [`Resolver`], which drops refused addresses and fails when none is left.
//! A URL whose host is an IP literal never reaches a resolver, so
//! [`Client::post`] checks it before sending. Redirects are not followed (a
//! 3xx would lead anywhere), and no HTTP proxy from the environment is used
//! (it would resolve the name itself, out of the policy's sight).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::config::Config;

/// Where an address stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Anywhere on the internet: allowed.
    Public,
    /// A network of one's own: allowed only when private networks are.
    Private(&'static str),
    /// Never allowed.
    Never(&'static str),
}

/// Whether `ip` lies in `net`/`len`.
fn in_v4(ip: Ipv4Addr, net: [u8; 4], len: u32) -> bool {
    let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

/// Whether `ip` lies in `net`/`len`.
fn in_v6(ip: Ipv6Addr, net: Ipv6Addr, len: u32) -> bool {
    let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
    u128::from(ip) & mask == u128::from(net) & mask
}

/// Where `ip` stands under the policy.
pub fn classify(ip: IpAddr) -> Reach {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Reach {
    use Reach::{Never, Private, Public};
    // 0.0.0.0/8 as a whole: Linux connects 0.0.0.0 to the local host.
    if in_v4(ip, [0, 0, 0, 0], 8) {
        Never("unspecified")
    } else if ip.is_broadcast() {
        Never("broadcast")
    } else if ip.is_link_local() {
        Never("link-local")
    } else if ip.is_multicast() {
        Never("multicast")
    } else if ip.is_documentation() {
        Never("documentation")
    } else if in_v4(ip, [240, 0, 0, 0], 4) {
        Never("reserved")
    } else if in_v4(ip, [198, 18, 0, 0], 15) {
        Never("benchmarking")
    } else if in_v4(ip, [192, 0, 0, 0], 24) {
        Never("IETF protocol assignments")
    } else if in_v4(ip, [192, 88, 99, 0], 24) {
        Never("6to4 relay anycast")
    } else if ip.is_loopback() {
        Private("loopback")
    } else if ip.is_private() {
        Private("private network")
    } else if in_v4(ip, [100, 64, 0, 0], 10) {
        Private("shared address space")
    } else {
        Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> Reach {
    use Reach::{Never, Private, Public};
    let net = |s: [u16; 8]| Ipv6Addr::from(s);
    let carried = |hi: u16, lo: u16| classify_v4(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
    let s = ip.segments();
    if ip.is_unspecified() {
        Never("unspecified")
    } else if ip.is_loopback() {
        Private("loopback")
    } else if let Some(v4) = ip.to_ipv4_mapped() {
        // ::ffff:a.b.c.d
        classify_v4(v4)
    } else if in_v6(ip, Ipv6Addr::UNSPECIFIED, 96)
        || in_v6(ip, net([0, 0, 0, 0, 0xffff, 0, 0, 0]), 96)
        || in_v6(ip, net([0x64, 0xff9b, 0, 0, 0, 0, 0, 0]), 96)
    {
        // IPv4-compatible ::a.b.c.d, IPv4-translated ::ffff:0:a.b.c.d, NAT64 64:ff9b::a.b.c.d
        carried(s[6], s[7])
    } else if in_v6(ip, net([0x2002, 0, 0, 0, 0, 0, 0, 0]), 16) {
        // 6to4: 2002:AABB:CCDD::/48 is AA.BB.CC.DD's network.
        carried(s[1], s[2])
    } else if in_v6(ip, net([0x64, 0xff9b, 1, 0, 0, 0, 0, 0]), 48) {
        // RFC 8215: a NAT64 prefix of one's own, translating to anywhere.
        Private("local-use NAT64")
    } else if ip.is_multicast() {
        Never("multicast")
    } else if ip.is_unicast_link_local() {
        Never("link-local")
    } else if ip.is_unique_local() {
        Private("unique local")
    } else if in_v6(ip, net([0xfec0, 0, 0, 0, 0, 0, 0, 0]), 10) {
        Private("site-local")
    } else if in_v6(ip, net([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0]), 32) || in_v6(ip, net([0x3fff, 0, 0, 0, 0, 0, 0, 0]), 20)
    {
        Never("documentation")
    } else if in_v6(ip, net([0x2001, 0, 0, 0, 0, 0, 0, 0]), 32) {
        Never("Teredo")
    } else if in_v6(ip, net([0x2001, 2, 0, 0, 0, 0, 0, 0]), 48) {
        Never("benchmarking")
    } else if in_v6(ip, net([0x2001, 0x10, 0, 0, 0, 0, 0, 0]), 28)
        || in_v6(ip, net([0x2001, 0x20, 0, 0, 0, 0, 0, 0]), 28)
    {
        Never("ORCHID")
    } else if in_v6(ip, net([0x100, 0, 0, 0, 0, 0, 0, 0]), 64) {
        Never("discard-only")
    } else if !in_v6(ip, net([0x2000, 0, 0, 0, 0, 0, 0, 0]), 3) {
        // Only 2000::/3 is global unicast; the rest is unassigned or special.
        Never("reserved")
    } else {
        Public
    }
}

/// Why a URL or an address may not be called. The messages name no URL (it
/// may carry a token), only the refused address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the URL is not valid")]
    Invalid,
    #[error("the URL must start with http:// or https://")]
    Scheme,
    #[error("address not allowed: {ip} ({kind})")]
    Never { ip: IpAddr, kind: &'static str },
    #[error("address not allowed: {ip} ({kind}; webhook_allow_private_networks is off)")]
    Private { ip: IpAddr, kind: &'static str },
}

impl Refused {
    /// The refusal of a host name's addresses as a tenant may see it: the
    /// kind of address, not the address. What an internal name resolves to
    /// says something about the network rampart runs in, so only the
    /// operator's log names it.
    pub fn of_resolved_name(&self) -> String {
        match self {
            Self::Never { kind, .. } => format!("the host name resolves to an address that is not allowed ({kind})"),
            Self::Private { kind, .. } => format!(
                "the host name resolves to an address that is not allowed ({kind}; webhook_allow_private_networks is off)"
            ),
            other => other.to_string(),
        }
    }
}

/// The policy in force: whether private networks may be reached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Policy {
    pub allow_private_networks: bool,
}

impl Policy {
    pub fn from_config(config: &Config) -> Self {
        Self { allow_private_networks: config.webhook_allow_private_networks }
    }

    /// Whether a connection to `ip` may be made.
    pub fn check(self, ip: IpAddr) -> Result<(), Refused> {
        match classify(ip) {
            Reach::Public => Ok(()),
            Reach::Private(_) if self.allow_private_networks => Ok(()),
            Reach::Private(kind) => Err(Refused::Private { ip, kind }),
            Reach::Never(kind) => Err(Refused::Never { ip, kind }),
        }
    }

    /// Checks what can be known of `url` without resolving it: an http(s)
    /// scheme, and an allowed address if the host is an IP literal. Host
    /// names are checked when they are resolved, at every connection.
    pub fn check_url(self, url: &str) -> Result<reqwest::Url, Refused> {
        // The same parser reqwest uses, so `http://2130706433/` and
        // `http://0x7f.1/` are seen as the 127.0.0.1 they connect to.
        let parsed = reqwest::Url::parse(url.trim()).map_err(|_| Refused::Invalid)?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Refused::Scheme);
        }
        let host = parsed.host_str().ok_or(Refused::Invalid)?;
        let literal = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
        if let Ok(ip) = literal.parse::<IpAddr>() {
            self.check(ip)?;
        }
        Ok(parsed)
    }

    /// What saving a webhook URL checks: the store's rules for its shape,
    /// then [`Policy::check_url`]. The reason is fit to show a user.
    pub fn check_saved_url(self, url: &str) -> Result<(), String> {
        let url = url.trim();
        store::webhooks::validate_endpoint_url(url)?;
        self.check_url(url).map(drop).map_err(|e| e.to_string())
    }
}

/// Resolves host names with the system resolver and keeps only the
/// addresses the policy allows.
#[derive(Debug, Clone, Copy)]
pub struct Resolver {
    policy: Policy,
}

impl Resolve for Resolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let mut refused = None;
            let allowed: Vec<SocketAddr> = found
                .filter(|addr| match policy.check(addr.ip()) {
                    Ok(()) => true,
                    Err(e) => {
                        refused.get_or_insert(e);
                        false
                    }
                })
                .collect();
            if allowed.is_empty() {
                return Err(match refused {
                    Some(refused) => Box::new(refused) as Box<dyn std::error::Error + Send + Sync>,
                    None => Box::new(std::io::Error::other("the host name has no addresses")),
                });
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// An HTTP client for user-configured URLs, held to a [`Policy`].
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    policy: Policy,
}

impl Client {
    /// Finishes `builder` (timeouts, user agent) with the policy's resolver,
    /// no redirects and no proxy.
    pub fn new(policy: Policy, builder: reqwest::ClientBuilder) -> reqwest::Result<Self> {
        let http = builder
            .dns_resolver(Arc::new(Resolver { policy }))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()?;
        Ok(Self { http, policy })
    }

    /// A POST to `url`, unless the URL is refused outright.
    pub fn post(&self, url: &str) -> Result<reqwest::RequestBuilder, Refused> {
        Ok(self.http.post(self.policy.check_url(url)?))
    }
}

/// The policy's refusal behind a failed request, if that is why it failed.
pub fn refusal(e: &reqwest::Error) -> Option<&Refused> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if let Some(refused) = c.downcast_ref::<Refused>() {
            return Some(refused);
        }
        cause = c.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFF: Policy = Policy { allow_private_networks: false };
    const ON: Policy = Policy { allow_private_networks: true };

    /// Each row: an address, then whether it is allowed with private
    /// networks off and with them on.
    macro_rules! table {
        ($($ip:literal => $off:literal, $on:literal;)*) => {
            &[$(($ip, $off, $on)),*]
        };
    }

    const TABLE: &[(&str, bool, bool)] = table! {
        // Public, both families.
        "8.8.8.8" => true, true;
        "1.1.1.1" => true, true;
        "93.184.215.14" => true, true;
        "2606:4700:4700::1111" => true, true;
        "2001:4860:4860::8888" => true, true;
        // The edges of the private and special IPv4 ranges, and just outside them.
        "0.0.0.0" => false, false;
        "0.255.255.255" => false, false;
        "1.0.0.0" => true, true;
        "9.255.255.255" => true, true;
        "10.0.0.0" => false, true;
        "10.255.255.255" => false, true;
        "11.0.0.0" => true, true;
        "100.63.255.255" => true, true;
        "100.64.0.0" => false, true;
        "100.127.255.255" => false, true;
        "100.128.0.0" => true, true;
        "126.255.255.255" => true, true;
        "127.0.0.1" => false, true;
        "127.255.255.254" => false, true;
        "128.0.0.0" => true, true;
        "169.253.255.255" => true, true;
        "169.254.0.0" => false, false;
        "169.254.169.254" => false, false;
        "169.254.255.255" => false, false;
        "169.255.0.0" => true, true;
        "172.15.255.255" => true, true;
        "172.16.0.0" => false, true;
        "172.31.255.255" => false, true;
        "172.32.0.0" => true, true;
        "192.0.0.0" => false, false;
        "192.0.0.170" => false, false;
        "192.0.1.0" => true, true;
        "192.0.2.1" => false, false;
        "192.88.99.1" => false, false;
        "192.167.255.255" => true, true;
        "192.168.0.0" => false, true;
        "192.168.255.255" => false, true;
        "192.169.0.0" => true, true;
        "198.17.255.255" => true, true;
        "198.18.0.0" => false, false;
        "198.19.255.255" => false, false;
        "198.20.0.0" => true, true;
        "198.51.100.7" => false, false;
        "203.0.113.9" => false, false;
        "223.255.255.255" => true, true;
        "224.0.0.1" => false, false;
        "239.255.255.255" => false, false;
        "240.0.0.1" => false, false;
        "255.255.255.254" => false, false;
        "255.255.255.255" => false, false;
        // IPv6 special ranges.
        "::" => false, false;
        "::1" => false, true;
        "::2" => false, false;
        "fe80::1" => false, false;
        "febf:ffff::1" => false, false;
        "fec0::1" => false, true;
        "fc00::1" => false, true;
        "fd12:3456:789a::1" => false, true;
        "fbff:ffff::1" => false, false;
        "ff02::1" => false, false;
        "ff0e::1" => false, false;
        "2001:db8::1" => false, false;
        "3fff::1" => false, false;
        "3fff:1000::1" => true, true;
        "2001::1" => false, false;
        "2001:2::1" => false, false;
        "2001:10::1" => false, false;
        "2001:20::1" => false, false;
        "100::1" => false, false;
        "64:ff9b:1::a00:1" => false, true;
        "4000::1" => false, false;
        "1fff:ffff::1" => false, false;
        // IPv4 carried in IPv6: judged by the IPv4 address.
        "::ffff:169.254.169.254" => false, false;
        "::ffff:127.0.0.1" => false, true;
        "::ffff:10.1.2.3" => false, true;
        "::ffff:8.8.8.8" => true, true;
        "::ffff:0.0.0.0" => false, false;
        "::169.254.169.254" => false, false;
        "::127.0.0.1" => false, true;
        "::8.8.8.8" => true, true;
        "::ffff:0:169.254.169.254" => false, false;
        "::ffff:0:192.168.1.1" => false, true;
        "64:ff9b::169.254.169.254" => false, false;
        "64:ff9b::127.0.0.1" => false, true;
        "64:ff9b::8.8.8.8" => true, true;
        "2002:a9fe:a9fe::1" => false, false;
        "2002:7f00:1::" => false, true;
        "2002:808:808::1" => true, true;
    };

    #[test]
    fn the_policy_table() {
        for &(text, off, on) in TABLE {
            let ip: IpAddr = text.parse().unwrap();
            assert_eq!(OFF.check(ip).is_ok(), off, "{text} with private networks off: {:?}", classify(ip));
            assert_eq!(ON.check(ip).is_ok(), on, "{text} with private networks on: {:?}", classify(ip));
        }
    }

    #[test]
    fn refusals_name_the_address_and_the_setting_that_could_allow_it() {
        let e = OFF.check("169.254.169.254".parse().unwrap()).unwrap_err();
        assert_eq!(e.to_string(), "address not allowed: 169.254.169.254 (link-local)");
        let e = OFF.check("10.0.0.1".parse().unwrap()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "address not allowed: 10.0.0.1 (private network; webhook_allow_private_networks is off)"
        );
        let e = ON.check("::ffff:169.254.169.254".parse().unwrap()).unwrap_err();
        assert_eq!(e.to_string(), "address not allowed: ::ffff:169.254.169.254 (link-local)");
    }

    #[test]
    fn a_resolved_names_refusal_keeps_the_kind_and_drops_the_address() {
        let e = OFF.check("10.20.30.40".parse().unwrap()).unwrap_err();
        assert_eq!(
            e.of_resolved_name(),
            "the host name resolves to an address that is not allowed (private network; webhook_allow_private_networks is off)"
        );
        let e = ON.check("169.254.169.254".parse().unwrap()).unwrap_err();
        assert_eq!(e.of_resolved_name(), "the host name resolves to an address that is not allowed (link-local)");
        assert_eq!(Refused::Scheme.of_resolved_name(), Refused::Scheme.to_string());
    }

    #[test]
    fn literal_hosts_are_checked_in_every_spelling_the_client_accepts() {
        for url in [
            "http://169.254.169.254/latest/meta-data/",
            "http://[::ffff:a9fe:a9fe]/",
            "http://[fe80::1]:8080/",
            "https://0x7f.1/hook",
            "http://2130706433/",
            "http://127.1/",
            "http://0/",
            "http://user:pass@10.0.0.1:9000/hook?token=x",
            "HTTP://[::1]/",
        ] {
            assert!(matches!(OFF.check_url(url), Err(Refused::Never { .. } | Refused::Private { .. })), "{url}");
        }
        for url in ["ftp://example.com/", "file:///etc/passwd", "gopher://127.0.0.1/", "javascript:alert(1)"] {
            assert_eq!(ON.check_url(url).unwrap_err(), Refused::Scheme, "{url}");
        }
        assert_eq!(OFF.check_url("http://").unwrap_err(), Refused::Invalid);
        assert_eq!(OFF.check_url("not a url").unwrap_err(), Refused::Invalid);
        // Host names pass here; they are checked when resolved.
        for url in
            ["https://hooks.example.com/x", "http://localhost:8080/", "http://8.8.8.8/", "https://[2001:4860::1]/"]
        {
            assert!(OFF.check_url(url).is_ok(), "{url}");
        }
        assert!(ON.check_url("http://127.0.0.1:9000/hook").is_ok());
        assert!(ON.check_url("http://169.254.169.254/").is_err(), "metadata is refused even with private networks on");
    }

    #[tokio::test]
    async fn the_resolver_drops_refused_addresses() {
        let name = |n: &str| n.parse::<Name>().unwrap();
        let e = Resolver { policy: OFF }.resolve(name("localhost")).await.err().unwrap();
        let refused = e.downcast_ref::<Refused>().unwrap();
        assert!(matches!(refused, Refused::Private { kind: "loopback", .. }), "{refused}");
        let addrs: Vec<SocketAddr> = Resolver { policy: ON }.resolve(name("localhost")).await.unwrap().collect();
        assert!(!addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    }
}
