//! SSRF guard for URL media: which addresses a [`super::UrlSource`] may
//! connect to.
//!
//! The host is resolved here, every resolved address is checked, and the
//! caller connects to the checked address (no second DNS lookup), so a DNS
//! answer that changes between check and connect (rebinding) cannot sneak
//! in. Redirect hops are checked the same way by the caller.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::{Host, Url};

use super::invalid;
use crate::Result;
use crate::http::redact_url;

/// Which otherwise-refused destinations are allowed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct GuardPolicy {
    /// Hosts (lowercase, exact match) allowed whatever they resolve to.
    pub(crate) allow_hosts: Vec<String>,
    /// Allow loopback addresses (127/8, ::1): tests and the emulator.
    pub(crate) allow_loopback: bool,
}

/// IANA's IPv4 Special-Purpose Address Registry (as updated 2025), plus
/// multicast (224.0.0.0/4, RFC 5771). Blocks nested in a listed one
/// (192.0.0.0/29, 192.0.0.8/32, 192.0.0.9/32, 192.0.0.10/32,
/// 192.0.0.170/32, 192.0.0.171/32 in 192.0.0.0/24; 0.0.0.0/32 in
/// 0.0.0.0/8; 255.255.255.255/32 in 240.0.0.0/4) are covered by it. The
/// few entries marked globally reachable (AS112, AMT, the anycast
/// services) are refused too: no media is served from them.
const SPECIAL_V4: &[(Ipv4Addr, u8)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8),       // "this network" (RFC 791)
    (Ipv4Addr::new(10, 0, 0, 0), 8),      // private-use (RFC 1918)
    (Ipv4Addr::new(100, 64, 0, 0), 10),   // shared address space, CGNAT (RFC 6598)
    (Ipv4Addr::new(127, 0, 0, 0), 8),     // loopback
    (Ipv4Addr::new(169, 254, 0, 0), 16),  // link local, cloud metadata (RFC 3927)
    (Ipv4Addr::new(172, 16, 0, 0), 12),   // private-use
    (Ipv4Addr::new(192, 0, 0, 0), 24),    // IETF protocol assignments (RFC 6890)
    (Ipv4Addr::new(192, 0, 2, 0), 24),    // documentation TEST-NET-1 (RFC 5737)
    (Ipv4Addr::new(192, 31, 196, 0), 24), // AS112-v4 (RFC 7535)
    (Ipv4Addr::new(192, 52, 193, 0), 24), // AMT (RFC 7450)
    (Ipv4Addr::new(192, 88, 99, 0), 24),  // deprecated 6to4 relay anycast (RFC 7526)
    (Ipv4Addr::new(192, 168, 0, 0), 16),  // private-use
    (Ipv4Addr::new(192, 175, 48, 0), 24), // AS112 direct delegation (RFC 7534)
    (Ipv4Addr::new(198, 18, 0, 0), 15),   // benchmarking (RFC 2544)
    (Ipv4Addr::new(198, 51, 100, 0), 24), // documentation TEST-NET-2
    (Ipv4Addr::new(203, 0, 113, 0), 24),  // documentation TEST-NET-3
    (Ipv4Addr::new(224, 0, 0, 0), 4),     // multicast (RFC 5771)
    (Ipv4Addr::new(240, 0, 0, 0), 4),     // reserved, limited broadcast (RFC 1112, RFC 919)
];

/// IANA's IPv6 Special-Purpose Address Registry (as updated 2025), plus
/// multicast and the deprecated site-local block. The embedded-IPv4 forms
/// (`::ffff:0:0/96` mapped, `::/96` compatible, `64:ff9b::/96` NAT64) are
/// not listed: [`is_forbidden_ip`] judges them by the IPv4 address they
/// carry. Anything outside `2000::/3`, the only block IANA allocates for
/// global unicast, is refused as well.
const SPECIAL_V6: &[(Ipv6Addr, u8)] = &[
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0), 128), // unspecified
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1), 128), // loopback
    (Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48), // local-use NAT64 (RFC 8215)
    (Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64), // discard-only (RFC 6666)
    (Ipv6Addr::new(0x100, 0, 0, 1, 0, 0, 0, 0), 64), // dummy prefix (RFC 9780)
    // IETF protocol assignments (RFC 2928): Teredo 2001::/32, anycast
    // 2001:1::1-3, benchmarking 2001:2::/48, AMT 2001:3::/32, AS112
    // 2001:4:112::/48, ORCHID 2001:10::/28, ORCHIDv2 2001:20::/28, drone
    // DETs 2001:30::/28.
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 23),
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32), // documentation (RFC 3849)
    (Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16),     // 6to4 (RFC 3056)
    (Ipv6Addr::new(0x2620, 0x4f, 0x8000, 0, 0, 0, 0, 0), 48), // AS112 direct delegation
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20),     // documentation (RFC 9637)
    (Ipv6Addr::new(0x5f00, 0, 0, 0, 0, 0, 0, 0), 16),     // SRv6 SIDs (RFC 9602)
    (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7),      // unique local (RFC 4193)
    (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10),     // link-local
    (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10),     // site-local, deprecated (RFC 3879)
    (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8),      // multicast
];

fn in_v4(ip: Ipv4Addr, (net, len): (Ipv4Addr, u8)) -> bool {
    let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
    ip.to_bits() & mask == net.to_bits()
}

fn in_v6(ip: Ipv6Addr, (net, len): (Ipv6Addr, u8)) -> bool {
    let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
    ip.to_bits() & mask == net.to_bits()
}

/// Whether `ip` is refused by default: every block of IANA's IPv4 and IPv6
/// special-purpose address registries (loopback, private, shared/CGNAT,
/// link-local and cloud metadata, documentation, benchmarking, IETF
/// protocol assignments, 6to4, Teredo, ORCHID, local-use NAT64, unique
/// local...), multicast, reserved 240.0.0.0/4 and broadcast, IPv6 outside
/// global unicast `2000::/3`, and the IPv4-mapped, IPv4-compatible and
/// NAT64 (`64:ff9b::/96`) forms of a refused IPv4 address.
///
/// ```
/// use creatorsync_core::media::guard::is_forbidden_ip;
/// assert!(is_forbidden_ip("169.254.169.254".parse().unwrap()));
/// assert!(is_forbidden_ip("::ffff:10.0.0.1".parse().unwrap()));
/// assert!(is_forbidden_ip("198.18.0.1".parse().unwrap()));
/// assert!(is_forbidden_ip("2002:a00:1::".parse().unwrap()));
/// assert!(!is_forbidden_ip("93.184.216.34".parse().unwrap()));
/// assert!(!is_forbidden_ip("64:ff9b::5db8:d822".parse().unwrap())); // NAT64 of a public IPv4
/// ```
pub fn is_forbidden_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    SPECIAL_V4.iter().any(|&block| in_v4(ip, block))
}

fn forbidden_v6(ip: Ipv6Addr) -> bool {
    if SPECIAL_V6.iter().any(|&block| in_v6(ip, block)) {
        return true;
    }
    if let Some(v4) = embedded_v4(ip) {
        return forbidden_v4(v4);
    }
    !in_v6(ip, (Ipv6Addr::new(0x2000, 0, 0, 0, 0, 0, 0, 0), 3))
}

/// The IPv4 address carried by an IPv4-mapped (`::ffff:0:0/96`),
/// IPv4-compatible (`::/96`) or NAT64 (`64:ff9b::/96`) address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let prefixes = [
        Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0, 0),
        Ipv6Addr::UNSPECIFIED,
        Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0),
    ];
    prefixes
        .into_iter()
        .any(|net| in_v6(ip, (net, 96)))
        .then(|| {
            let [.., a, b, c, d] = ip.octets();
            Ipv4Addr::new(a, b, c, d)
        })
}

fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// Checks the scheme, resolves the host and checks every address. Returns
/// the address to connect to.
pub(crate) async fn resolve_checked(url: &Url, policy: &GuardPolicy) -> Result<SocketAddr> {
    let shown = redact_url(url);
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(
            shown,
            format!(
                "the {:?} scheme is not allowed; use an http(s) URL",
                url.scheme()
            ),
        ));
    }
    let port = url.port_or_known_default().unwrap_or(80);
    let (host_name, addrs): (String, Vec<SocketAddr>) = match url.host() {
        Some(Host::Ipv4(ip)) => (ip.to_string(), vec![SocketAddr::new(IpAddr::V4(ip), port)]),
        Some(Host::Ipv6(ip)) => (ip.to_string(), vec![SocketAddr::new(IpAddr::V6(ip), port)]),
        Some(Host::Domain(d)) => {
            let found = tokio::net::lookup_host((d, port))
                .await
                .map_err(|e| invalid(shown.clone(), format!("cannot resolve host {d:?}: {e}")))?;
            (d.to_ascii_lowercase(), found.collect())
        }
        None => return Err(invalid(shown, "the URL has no host")),
    };
    let Some(first) = addrs.first().copied() else {
        return Err(invalid(
            shown,
            format!("host {host_name:?} has no addresses"),
        ));
    };
    let host_allowed = policy
        .allow_hosts
        .iter()
        .any(|h| h.eq_ignore_ascii_case(&host_name));
    if !host_allowed {
        // Refuse if ANY address is forbidden: a host that also resolves to a
        // private address is not one we should talk to.
        for a in &addrs {
            let ip = a.ip();
            if is_forbidden_ip(ip) && !(policy.allow_loopback && is_loopback(ip)) {
                tracing::warn!(url = %shown, %ip, "refused media URL: private or reserved address");
                return Err(invalid(
                    shown,
                    format!(
                        "refused: host {host_name:?} resolves to {ip}, a private, loopback, link-local or other special-purpose address; use a public URL (or allow this host explicitly)"
                    ),
                ));
            }
        }
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every special-purpose block, written from the IANA registries (not
    /// from the guard's own table): its first and last address must be
    /// refused, and the addresses just below and just above it are
    /// expected as given (`true` = allowed; `false` when the neighbour is
    /// itself in a refused block).
    const V4_BLOCKS: &[(&str, bool, bool)] = &[
        ("0.0.0.0/8", false, true),
        ("10.0.0.0/8", true, true),
        ("100.64.0.0/10", true, true),
        ("127.0.0.0/8", true, true),
        ("169.254.0.0/16", true, true),
        ("172.16.0.0/12", true, true),
        ("192.0.0.0/24", true, true),
        ("192.0.0.0/29", true, false),
        ("192.0.0.8/32", false, false),
        ("192.0.0.9/32", false, false),
        ("192.0.0.10/32", false, false),
        ("192.0.0.170/31", false, false),
        ("192.0.2.0/24", true, true),
        ("192.31.196.0/24", true, true),
        ("192.52.193.0/24", true, true),
        ("192.88.99.0/24", true, true),
        ("192.168.0.0/16", true, true),
        ("192.175.48.0/24", true, true),
        ("198.18.0.0/15", true, true),
        ("198.51.100.0/24", true, true),
        ("203.0.113.0/24", true, true),
        ("224.0.0.0/4", true, false),
        ("240.0.0.0/4", false, true),
        ("255.255.255.255/32", false, true),
    ];

    const V6_BLOCKS: &[(&str, bool, bool)] = &[
        ("::/128", true, false),
        ("::1/128", false, false),
        ("64:ff9b:1::/48", false, false),
        ("100::/64", false, false),
        ("100:0:0:1::/64", false, false),
        ("2001::/23", true, true),
        ("2001::/32", true, false),
        ("2001:1::1/128", false, false),
        ("2001:1::2/128", false, false),
        ("2001:1::3/128", false, false),
        ("2001:2::/48", false, false),
        ("2001:3::/32", false, false),
        ("2001:4:112::/48", false, false),
        ("2001:10::/28", false, false),
        ("2001:20::/28", false, false),
        ("2001:30::/28", false, false),
        ("2001:db8::/32", true, true),
        ("2002::/16", true, true),
        ("2620:4f:8000::/48", true, true),
        ("3fff::/20", true, true),
        ("5f00::/16", false, false),
        ("fc00::/7", false, false),
        ("fe80::/10", false, false),
        ("fec0::/10", false, false),
        ("ff00::/8", false, true),
        // Outside 2000::/3 (global unicast) everything is refused.
        ("::2/127", false, false),
        ("4000::/3", true, false),
        ("1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", false, true),
    ];

    fn block_v4(cidr: &str) -> (u32, u32) {
        let (net, len) = cidr.split_once('/').unwrap();
        let net: Ipv4Addr = net.parse().unwrap();
        let len: u32 = len.parse().unwrap();
        let size = 1u64 << (32 - len);
        let first = net.to_bits();
        (first, u32::try_from(u64::from(first) + size - 1).unwrap())
    }

    fn block_v6(cidr: &str) -> (u128, u128) {
        let (net, len) = cidr.split_once('/').unwrap();
        let net: Ipv6Addr = net.parse().unwrap();
        let len: u32 = len.parse().unwrap();
        let host = u128::MAX.checked_shr(len).unwrap_or(0);
        (net.to_bits(), net.to_bits() | host)
    }

    fn check(ip: IpAddr, refused: bool, why: &str, failures: &mut Vec<String>) {
        if is_forbidden_ip(ip) != refused {
            let want = if refused { "refused" } else { "allowed" };
            failures.push(format!("{ip} should be {want} ({why})"));
        }
    }

    #[test]
    fn every_special_purpose_block_is_refused_and_its_neighbours_are_not() {
        let mut failures = Vec::new();
        for &(cidr, below_ok, above_ok) in V4_BLOCKS {
            let (first, last) = block_v4(cidr);
            let v4 = |bits: u32| IpAddr::V4(Ipv4Addr::from_bits(bits));
            check(v4(first), true, cidr, &mut failures);
            check(v4(last), true, cidr, &mut failures);
            if let Some(below) = first.checked_sub(1) {
                check(v4(below), !below_ok, cidr, &mut failures);
            }
            if let Some(above) = last.checked_add(1) {
                check(v4(above), !above_ok, cidr, &mut failures);
            }
            // The same address as IPv4-mapped, IPv4-compatible and NAT64.
            for prefix in [0xffff_0000_0000u128, 0, 0x64_ff9b_u128 << 96] {
                let v6 = IpAddr::V6(Ipv6Addr::from_bits(prefix | u128::from(first)));
                check(v6, true, &format!("{cidr} embedded"), &mut failures);
            }
        }
        for &(cidr, below_ok, above_ok) in V6_BLOCKS {
            let (first, last) = block_v6(cidr);
            let v6 = |bits: u128| IpAddr::V6(Ipv6Addr::from_bits(bits));
            check(v6(first), true, cidr, &mut failures);
            check(v6(last), true, cidr, &mut failures);
            if let Some(below) = first.checked_sub(1) {
                check(v6(below), !below_ok, cidr, &mut failures);
            }
            if let Some(above) = last.checked_add(1) {
                check(v6(above), !above_ok, cidr, &mut failures);
            }
        }
        // Public addresses, and their embedded-IPv4 forms, stay allowed.
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.216.34",
            "100.128.0.1",
            "172.32.0.1",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.255",
            "::ffff:8.8.8.8",
            "::8.8.8.8",
            "64:ff9b::808:808",
            "2606:4700::1111",
            "2a00:1450:4001::200e",
        ] {
            check(ip.parse().unwrap(), false, "public", &mut failures);
        }
        // NAT64 of a refused IPv4 address, beyond the first one.
        for ip in ["64:ff9b::a00:1", "64:ff9b::c612:1", "::ffff:198.19.255.255"] {
            check(ip.parse().unwrap(), true, "embedded", &mut failures);
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[tokio::test]
    async fn schemes_and_policy() {
        let p = GuardPolicy::default();
        for u in ["file:///etc/passwd", "ftp://example.com/a", "gopher://x/"] {
            assert!(
                resolve_checked(&Url::parse(u).unwrap(), &p).await.is_err(),
                "{u}"
            );
        }
        let local = Url::parse("http://127.0.0.1:9/x?sig=SECRET").unwrap();
        let err = resolve_checked(&local, &p).await.unwrap_err().to_string();
        assert!(err.contains("refused") && !err.contains("SECRET"), "{err}");
        let lo = GuardPolicy {
            allow_loopback: true,
            ..GuardPolicy::default()
        };
        assert!(resolve_checked(&local, &lo).await.is_ok());
        let meta = Url::parse("http://169.254.169.254/latest/meta-data").unwrap();
        assert!(resolve_checked(&meta, &lo).await.is_err());
        let host = GuardPolicy {
            allow_hosts: vec!["127.0.0.1".into()],
            ..GuardPolicy::default()
        };
        assert!(resolve_checked(&local, &host).await.is_ok());
    }
}
