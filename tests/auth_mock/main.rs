//! The auth mock's own contract, so the assertions the auth tests build on
//! it can fail: an unmocked request is named and fails the test, and a
//! request count off by one fails it too.

#[path = "mod.rs"]
mod auth_mock;

#[tokio::test]
#[should_panic(expected = "Verifications failed")]
async fn an_unmocked_request_is_named_and_fails_the_test() {
    let mock = auth_mock::start().await;
    let resp = reqwest::get(format!("{}/nowhere?x=1", mock.base))
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    let body = resp.text().await.unwrap();
    assert!(
        body.contains("GET") && body.contains("/nowhere?x=1"),
        "{body}"
    );
    drop(mock); // verification: the catch-all expected no request
}

#[tokio::test]
#[should_panic(expected = "exactly 1 refreshes")]
async fn one_refresh_too_many_fails_the_test() {
    let mock = auth_mock::start().await;
    mock.expect_refreshes(1).await;
    let client = reqwest::Client::new();
    for _ in 0..2 {
        let resp = client
            .post(format!("{}/v2/oauth/token/", mock.base))
            .form(&[
                ("client_key", "cs-test-tiktok"),
                ("client_secret", "cs-test-tiktok-secret"),
                ("grant_type", "refresh_token"),
                ("refresh_token", "unknown"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 400, "an unknown grant");
    }
}

#[tokio::test]
async fn failing_refreshes_fail_n_times_then_the_platform_recovers() {
    let mock = auth_mock::start().await;
    mock.failing_refreshes(2).await;
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let resp = client
            .post(format!("{}/token", mock.base))
            .form(&[
                ("client_id", "cs-test-youtube"),
                ("client_secret", "cs-test-youtube-secret"),
                ("grant_type", "refresh_token"),
                ("refresh_token", "unknown"),
            ])
            .send()
            .await
            .unwrap();
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(statuses, [503, 503, 400]);
}
