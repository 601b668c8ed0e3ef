//! Post lifecycle: a draft `lifecycleState` is refused on create, the
//! partial update of the commentary (and its refusals), delete of a gone
//! post answers 404.

use super::*;

#[tokio::test]
async fn drafts_are_refused_and_commentary_updates() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    let at = token(&emu, &http).await;

    let mut draft = post(PERSON, "a draft", None);
    draft["lifecycleState"] = json!("DRAFT");
    let r = create(&http, &emu, &at, draft).await;
    assert_eq!(r.status(), 422);
    assert!(emu.record().posts_for(Platform::LinkedIn).is_empty());

    let r = create(&http, &emu, &at, post(PERSON, "typo", None)).await;
    assert_eq!(r.status(), 201);
    let urn = r.headers()["x-restli-id"].to_str().unwrap().to_owned();
    let update = |body: Value, method: &'static str| {
        rest(
            http.post(url(&emu, &format!("/rest/posts/{}", enc(&urn)))),
            &at,
        )
        .header("X-RestLi-Method", method)
        .json(&body)
        .send()
    };
    let r = update(
        json!({"patch": {"$set": {"commentary": "fixed"}}}),
        "PARTIAL_UPDATE",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 204);
    let rec = emu.record().post(Platform::LinkedIn, &urn).unwrap();
    assert_eq!((rec.text.as_str(), rec.edits()), ("fixed", 1));

    let r = update(json!({"patch": {"$set": {"commentary": "x"}}}), "UPDATE")
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "needs PARTIAL_UPDATE");
    let r = update(
        json!({"patch": {"$set": {"visibility": "CONNECTIONS"}}}),
        "PARTIAL_UPDATE",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422, "only some fields are updatable");

    let del = || {
        rest(
            http.delete(url(&emu, &format!("/rest/posts/{}", enc(&urn)))),
            &at,
        )
        .header("X-RestLi-Method", "DELETE")
        .send()
    };
    assert_eq!(del().await.unwrap().status(), 204);
    assert_eq!(del().await.unwrap().status(), 404);
    let r = update(
        json!({"patch": {"$set": {"commentary": "late"}}}),
        "PARTIAL_UPDATE",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        emu.record().post(Platform::LinkedIn, &urn).unwrap().state(),
        "deleted"
    );
}
