using ReviewHub.AppStoreConnect;
using ReviewHub.Fakes;
using ReviewHub.Integrations;
using ReviewHub.Replies;
using ReviewHub.Reviews;
using ReviewHub.Tests.Delivery;
using ReviewHub.Tests.Reviews;

namespace ReviewHub.Tests.AppStoreConnect;

/// <summary>
/// One worker process using one customer's key for hours, through the app's real wiring: App Store Connect (the fake,
/// on the same clock) checks every token's signature and lifetime, so each call after a renewal proves it worked.
/// </summary>
public sealed class TokenRenewalTests
{
    [Fact]
    public async Task A_fetch_a_reply_and_a_role_check_hours_apart_in_one_process_all_reach_App_Store_Connect()
    {
        var clock = new ShiftedClock();
        await using var h = await IngestionHarness.StartAsync(clock: clock);
        var newest = clock.GetUtcNow().AddDays(-1);
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(3, newest, "first"));
        await h.ActivateIntegrationAsync();
        Assert.Equal(FetchOutcomeKind.Completed, (await h.FetchAsync(Assert.Single(h.TakeFetches()))).Kind);

        clock.Offset += TimeSpan.FromHours(3); // many token lifetimes later, same process, same key
        var reviewId = (await h.StoredReviewsAsync())[0].RowKey;
        h.Asc.SeedReviewForResponses(reviewId);
        var put = await h.App.Host.PutAsync($"{h.World.AppPath}/reviews/{reviewId}/reply", h.World.Token,
            new { body = "Thanks for the report!" });
        Assert.True(put.Status == 202, put.ToString());
        foreach (var message in h.App.Queue.Take<ReplySendMessage>(ReplyQueues.ReplySends))
        {
            await h.App.Get<ReplySender>().SendAsync(message, CancellationToken.None);
        }
        var reply = await h.App.Get<ReplyStore>().GetAsync(h.World.AppId, reviewId, CancellationToken.None);
        Assert.Equal(nameof(ReplyStatus.PendingPublish), reply!.Status);
        Assert.Equal("Thanks for the report!", h.Asc.ResponseForReview(reviewId)!.ResponseBody);

        clock.Offset += TimeSpan.FromHours(3);
        var fresh = FakeAppStoreConnect.GenerateReviews(2, clock.GetUtcNow().AddMinutes(-5), "later");
        h.Asc.SetReviews(h.StoreAppId, fresh);
        var later = await h.FetchAsync();
        Assert.Equal((FetchOutcomeKind.Completed, 2), (later.Kind, later.NewReviews));

        clock.Offset += TimeSpan.FromHours(3);
        h.Asc.Invite("integration@reviewhub.test", ["CUSTOMER_SUPPORT"]);
        h.Asc.AcceptInvitation("integration@reviewhub.test");
        var integration = await h.App.Get<IntegrationStore>()
            .GetAsync(h.World.AccountId, h.World.AppId, CancellationToken.None);
        var credential = await h.App.Get<AppStoreConnectCredentialStore>().LoadAsync(integration!.CredentialReference!,
            CancellationToken.None);
        var membership = await h.App.Get<AppStoreConnectUserDirectory>().FindAsync(
            credential, "integration@reviewhub.test", CancellationToken.None);
        Assert.True(membership is { IsUser: true });
    }
}
