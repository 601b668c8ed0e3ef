//! The one lease heartbeat: renews a lease every third of its life, so a
//! holder that is alive never loses it and one that died loses it within a
//! lease period. Used by the publish log's target leases and the token
//! manager's refresh lease.

use std::time::Duration;

use async_trait::async_trait;

/// One renewal of a lease.
#[async_trait]
pub(crate) trait Renew: Send {
    /// Extends the lease; `false` when it is lost or no longer ours.
    async fn renew(&mut self) -> bool;
}

/// Renews through `lease` every third of `ttl` (at least every 10 ms) until
/// a renewal answers `false`, then returns.
pub(crate) async fn heartbeat(ttl: Duration, lease: &mut impl Renew) {
    let every = (ttl / 3).max(Duration::from_millis(10));
    loop {
        tokio::time::sleep(every).await;
        if !lease.renew().await {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Count(u32);

    #[async_trait]
    impl Renew for Count {
        async fn renew(&mut self) -> bool {
            self.0 += 1;
            self.0 < 3
        }
    }

    #[tokio::test]
    async fn renews_until_a_renewal_is_refused() {
        let mut count = Count(0);
        heartbeat(Duration::from_millis(30), &mut count).await;
        assert_eq!(count.0, 3, "stops at the first refused renewal");
    }
}
