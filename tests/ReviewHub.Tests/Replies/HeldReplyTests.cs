using Microsoft.Extensions.DependencyInjection;
using ReviewHub.Fakes;
using ReviewHub.Integrations;
using ReviewHub.Replies;
using ReviewHub.Tests.Integrations;

namespace ReviewHub.Tests.Replies;

/// <summary>
/// Issue 13, item 4: replies of a degraded connection wait with the cause instead of failing, nothing reaches App
/// Store Connect while degraded, and each is sent once when the connection works again.
/// </summary>
public sealed class HeldReplyTests
{
    private static readonly string[] FullAccessRoles = [AppStoreConnectRoles.CustomerSupport,
        AppStoreConnectRoles.Marketing, AppStoreConnectRoles.Finance];

    private const string Kept = "00000028-b08c-0014-729e-fbd500000001";
    private const string Edited = "00000028-b08c-0014-729e-fbd500000002";
    private const string Dropped = "00000028-b08c-0014-729e-fbd500000003";

    private static async Task<IntegrationHarness> DegradedAsync()
    {
        var h = await IntegrationHarness.StartAsync();
        Assert.Equal(202, (await h.ConfirmAsync("fullAccess")).Status);
        await h.OperatorsAcceptAsync(FullAccessRoles);
        Assert.Equal("Active", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        foreach (var reviewId in new[] { Kept, Edited, Dropped })
        {
            await ReplySeeds.ReviewAsync(h.App, h.World, reviewId);
            h.Asc.SeedReviewForResponses(reviewId);
        }
        h.Asc.SetUserRoles(h.IntegrationEmail, [AppStoreConnectRoles.Marketing]);
        Assert.Equal(HealthCheckOutcome.Degraded, await h.App.Get<IntegrationHealthCheck>().CheckAsync(
            h.World.AccountId, h.ConnectionId, CancellationToken.None));
        h.Asc.ClearRequests();
        return h;
    }

    private static Task<TestResponse> PutAsync(IntegrationHarness h, string reviewId, string body) =>
        h.App.Host.PutAsync(ReplySeeds.ReplyPath(h.World, reviewId), h.World.Token, new { body });

    private static async Task<ReplyResponse> ReplyAsync(IntegrationHarness h, string reviewId)
    {
        var response = await h.App.Host.GetAsync(ReplySeeds.ReplyPath(h.World, reviewId), h.World.Token);
        Assert.True(response.Status == 200, response.ToString());
        return response.As<ReplyResponse>();
    }

    /// <summary>Runs the sender on every queued message of the app, each delivered <paramref name="times"/>.</summary>
    private static async Task<int> PlayAsync(IntegrationHarness h, int times = 1)
    {
        var played = 0;
        while (h.App.Queue.Take<ReplySendMessage>(ReplyQueues.ReplySends) is { Count: > 0 } messages)
        {
            foreach (var message in messages.Where(m => m.AppId == h.World.AppId))
            {
                for (var i = 0; i < times; i++)
                {
                    Assert.True(++played <= 40, "The reply queue does not drain.");
                    await h.App.Get<ReplySender>().SendAsync(message, CancellationToken.None);
                }
            }
        }
        return played;
    }

    private static IReadOnlyList<RecordedRequest> Posts(IntegrationHarness h) =>
        h.Asc.Requests.Where(r => r.Method == "POST"
            && r.Path.StartsWith("/v1/customerReviewResponses", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task Replies_of_a_degraded_connection_wait_with_the_cause_and_are_sent_once_after_fixed_it()
    {
        await using var h = await DegradedAsync();
        var reason = (await h.StatusAsync()).DegradedReason!;

        foreach (var reviewId in new[] { Kept, Edited, Dropped })
        {
            Assert.Equal(202, (await PutAsync(h, reviewId, $"Thanks ({reviewId[^1]})")).Status);
        }
        await PlayAsync(h, times: 2); // duplicates while degraded hold again, nothing more

        var held = await ReplyAsync(h, Kept);
        Assert.Equal((ReplyStatus.Paused, reason, null), (held.Status, held.LastError, held.FailureCode));
        Assert.Empty(Posts(h)); // nothing reached App Store Connect
        Assert.Contains("replies wait", (await h.StatusAsync()).NextStep, StringComparison.Ordinal);

        // Edited while held: the new text waits instead; deleted while held (never sent): dropped at once.
        Assert.Equal(202, (await PutAsync(h, Edited, "Thanks, fixed in 2.1")).Status);
        await PlayAsync(h);
        Assert.Equal((ReplyStatus.Paused, 2), ((await ReplyAsync(h, Edited)).Status, (await ReplyAsync(h, Edited))
            .Version));
        var dropped = await h.App.Host.DeleteAsync(ReplySeeds.ReplyPath(h.World, Dropped), h.World.Token);
        Assert.True(dropped.Status == 200, dropped.ToString());
        Assert.Empty(Posts(h));

        // "I fixed it": active again; the held replies are released, and each is posted once although every message
        // arrives twice.
        h.Asc.SetUserRoles(h.IntegrationEmail, FullAccessRoles);
        var fixedIt = await h.App.Host.PostAsync($"{h.IntegrationPath}/fixed", h.World.Token);
        Assert.Equal("active", fixedIt.As<IntegrationStatusResponse>().Status);
        await PlayAsync(h, times: 2);

        Assert.Equal(2, Posts(h).Count);
        Assert.Contains(Posts(h), p => p.Body.Contains("Thanks (1)", StringComparison.Ordinal));
        Assert.Contains(Posts(h), p => p.Body.Contains("Thanks, fixed in 2.1", StringComparison.Ordinal));
        Assert.Equal((ReplyStatus.PendingPublish, null), ((await ReplyAsync(h, Kept)).Status,
            (await ReplyAsync(h, Kept)).LastError));
        Assert.Equal(ReplyStatus.PendingPublish, (await ReplyAsync(h, Edited)).Status);
        Assert.Equal(ReplyStatus.Deleted, (await ReplyAsync(h, Dropped)).Status);
    }

    [Fact]
    public async Task A_reply_whose_key_is_refused_waits_and_the_tracker_releases_it_once_a_new_key_works()
    {
        await using var h = await IntegrationHarness.StartAsync();
        Assert.Equal(202, (await h.ConfirmAsync("fullAccess")).Status);
        await h.OperatorsAcceptAsync(FullAccessRoles);
        Assert.Equal("Active", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        await ReplySeeds.ReviewAsync(h.App, h.World, Kept);
        h.Asc.SeedReviewForResponses(Kept);
        h.Asc.Fail(new InjectedFault(401, FakeAppStoreConnect.ErrorBody(401, "NOT_AUTHORIZED", "Revoked.")),
            match: r => r.Method == "POST");

        Assert.Equal(202, (await PutAsync(h, Kept, "Thanks!")).Status);
        await PlayAsync(h);

        // The refused reply is not lost: it waits, and the connection is degraded by the refusal.
        var held = await ReplyAsync(h, Kept);
        Assert.Equal((ReplyStatus.Paused, null), (held.Status, held.FailureCode));
        Assert.Contains("rejected the integration's API key", held.LastError, StringComparison.Ordinal);
        Assert.Equal(("degraded", "keyRevoked"), ((await h.StatusAsync()).Status, (await h.StatusAsync())
            .DegradedCause));
        Assert.Single(Posts(h));

        // Operators register a new key (which recovers the connection without a check); the tracker finds the held
        // reply no longer held and queues it.
        h.Asc.ClearFaults();
        Assert.Equal(200, (await h.RegisterCredentialAsync(h.Asc.CreateKey())).Status);
        var tracker = ActivatorUtilities.CreateInstance<ReplyModerationTracker>(h.App.Services,
            new ShiftedClock(TimeSpan.FromHours(1)));
        await tracker.CheckAsync(CancellationToken.None);
        await PlayAsync(h, times: 2);

        Assert.Equal(2, Posts(h).Count);
        Assert.Equal(ReplyStatus.PendingPublish, (await ReplyAsync(h, Kept)).Status);
    }
}
