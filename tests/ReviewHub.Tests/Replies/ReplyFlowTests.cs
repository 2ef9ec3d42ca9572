using System.Diagnostics;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReviewHub.Fakes;
using ReviewHub.Http;
using ReviewHub.Integrations;
using ReviewHub.Observability;
using ReviewHub.Replies;
using ReviewHub.Storage;
using ReviewHub.Tests.Observability;

namespace ReviewHub.Tests.Replies;

/// <summary>
/// Replies end to end against the fake App Store Connect: API → queue → sender → moderation tracker.
/// One class (one xunit collection) because the moderation tracker reads the shared pending index.
/// </summary>
public sealed class ReplyFlowTests
{
    private static readonly TimeSpan PastCheckInterval = TimeSpan.FromMinutes(21);

    [Fact]
    public async Task A_reply_reaches_App_Store_Connect_once_and_is_followed_to_published()
    {
        await using var s = await ReplyScenario.StartAsync();

        var put = await s.PutAsync("  Thanks! Version 2.1 fixes the crash.  ");

        Assert.True(put.Status == 202, put.ToString());
        var queued = put.As<ReplyResponse>();
        Assert.Equal(ReplyStatus.Queued, queued.Status);
        Assert.Equal(s.World.UserId, queued.RequestedBy);
        Assert.Equal("Thanks! Version 2.1 fixes the crash.", queued.Body);
        Assert.Equal(nameof(ReplyStatus.Queued), (await s.ReviewAsync()).ReplyStatus);

        Assert.Equal(1, await s.PlayQueueAsync());

        var post = Assert.Single(s.ResponseCalls("POST"));
        using (var sent = JsonDocument.Parse(post.Body))
        {
            var data = sent.RootElement.GetProperty("data");
            Assert.Equal("customerReviewResponses", data.GetProperty("type").GetString());
            Assert.Equal("Thanks! Version 2.1 fixes the crash.", data.GetProperty("attributes").GetProperty(
                "responseBody").GetString());
            Assert.Equal("customerReviews", data.GetProperty("relationships").GetProperty("review").GetProperty("data")
                .GetProperty("type").GetString());
            Assert.Equal(s.ReviewId, data.GetProperty("relationships").GetProperty("review").GetProperty("data")
                .GetProperty("id").GetString());
        }
        var pending = await s.StateAsync();
        Assert.Equal(ReplyStatus.PendingPublish, pending.Status);
        Assert.NotNull(pending.SentAt);
        Assert.True(await s.IsTrackedAsPendingAsync());
        Assert.Equal(nameof(ReplyStatus.PendingPublish), (await s.ReviewAsync()).ReplyStatus);

        // Not yet published: the tracker leaves it pending.
        await s.Tracker(PastCheckInterval).CheckAsync(CancellationToken.None);
        Assert.Equal(ReplyStatus.PendingPublish, (await s.StateAsync()).Status);

        s.Asc.PublishResponse(s.ReviewId);
        await s.Tracker(PastCheckInterval * 2).CheckAsync(CancellationToken.None);

        var published = await s.StateAsync();
        Assert.Equal(ReplyStatus.Published, published.Status);
        Assert.NotNull(published.PublishedAt);
        Assert.False(await s.IsTrackedAsPendingAsync());
        Assert.Equal(nameof(ReplyStatus.Published), (await s.ReviewAsync()).ReplyStatus);
        var version = Assert.Single(await s.HistoryAsync());
        Assert.Equal(ReplyOutcome.Published, version.Outcome);
        Assert.Equal(s.World.UserId, version.RequestedBy);
        Assert.Single(s.ResponseCalls("POST"));

        // Published replies leave the index: later runs do not ask App Store Connect about them again.
        var gets = s.ResponseCalls("GET").Count;
        await s.Tracker(PastCheckInterval * 4).CheckAsync(CancellationToken.None);
        Assert.Equal(gets, s.ResponseCalls("GET").Count);
    }

    [Fact]
    public async Task An_edit_overwrites_the_response_and_the_audit_trail_keeps_both_versions()
    {
        await using var s = await ReplyScenario.StartAsync();
        await s.PutAsync("First answer.");
        await s.PlayQueueAsync();
        var firstId = s.Asc.ResponseForReview(s.ReviewId)!.Id;

        var edit = await s.PutAsync("Better answer.");
        Assert.Equal(202, edit.Status);
        Assert.Equal(2, edit.As<ReplyResponse>().Version);
        await s.PlayQueueAsync();

        var response = s.Asc.ResponseForReview(s.ReviewId)!;
        Assert.Equal(firstId, response.Id);
        Assert.Equal("Better answer.", response.ResponseBody);
        Assert.Equal(2, s.ResponseCalls("POST").Count);
        Assert.Equal(ReplyStatus.PendingPublish, (await s.StateAsync()).Status);
        var history = await s.HistoryAsync();
        Assert.Equal([2, 1], history.Select(v => v.Version));
        Assert.Equal([ReplyOutcome.PendingPublish, ReplyOutcome.Replaced], history.Select(v => v.Outcome));
        Assert.Equal(["Better answer.", "First answer."], history.Select(v => v.Body));
    }

    [Fact]
    public async Task An_edit_made_while_an_older_body_is_queued_wins_even_when_messages_arrive_reordered()
    {
        await using var s = await ReplyScenario.StartAsync();
        await s.PutAsync("Draft.");
        await s.PutAsync("Final.");
        var messages = s.App.Queue.Take<ReplySendMessage>(ReplyQueues.ReplySends);
        Assert.Equal([1, 2], messages.Select(m => m.Version));

        await s.Sender.SendAsync(messages[1], CancellationToken.None);
        await s.Sender.SendAsync(messages[0], CancellationToken.None);

        Assert.Contains("Final.", Assert.Single(s.ResponseCalls("POST")).Body);
        Assert.Equal("Final.", s.Asc.ResponseForReview(s.ReviewId)!.ResponseBody);
        var history = await s.HistoryAsync();
        Assert.Equal([ReplyOutcome.PendingPublish, ReplyOutcome.Superseded], history.Select(v => v.Outcome));
    }

    [Fact]
    public async Task Duplicate_messages_and_a_repeated_put_send_the_body_once()
    {
        await using var s = await ReplyScenario.StartAsync();
        await s.PutAsync("Thanks!");
        var message = Assert.Single(s.App.Queue.Take<ReplySendMessage>(ReplyQueues.ReplySends));

        await s.Sender.SendAsync(message, CancellationToken.None);
        await s.Sender.SendAsync(message, CancellationToken.None); // duplicate delivery

        var again = await s.PutAsync("Thanks!"); // a client retry of the same body
        Assert.Equal(200, again.Status);
        Assert.Equal(1, again.As<ReplyResponse>().Version);
        Assert.Equal(0, await s.PlayQueueAsync());
        Assert.Single(s.ResponseCalls("POST"));
        Assert.Single(await s.HistoryAsync());
    }

    [Fact]
    public async Task A_sender_that_finds_another_sender_at_work_comes_back_later_instead_of_calling()
    {
        await using var s = await ReplyScenario.StartAsync();
        await s.PutAsync("Thanks!");
        var message = Assert.Single(s.App.Queue.Take<ReplySendMessage>(ReplyQueues.ReplySends));
        await s.ClaimAsync(version: 1, at: DateTimeOffset.UtcNow);

        await s.Sender.SendAsync(message, CancellationToken.None);

        Assert.Empty(s.ResponseCalls("POST"));
        Assert.Equal(message, Assert.Single(s.App.Queue.Take<ReplySendMessage>(ReplyQueues.ReplySends)));
    }

    [Fact]
    public async Task Deleting_a_sent_reply_deletes_the_response_in_App_Store_Connect()
    {
        await using var s = await ReplyScenario.StartAsync();
        await s.PutAsync("Thanks!");
        await s.PlayQueueAsync();
        var responseId = s.Asc.ResponseForReview(s.ReviewId)!.Id;

        var delete = await s.DeleteAsync();
        Assert.True(delete.Status == 202, delete.ToString());
        Assert.Equal(ReplyAction.Delete, delete.As<ReplyResponse>().PendingAction);
        await s.PlayQueueAsync();

        Assert.Null(s.Asc.ResponseForReview(s.ReviewId));
        Assert.Equal($"/v1/customerReviewResponses/{responseId}", Assert.Single(s.ResponseCalls("DELETE")).Path);
        var state = await s.StateAsync();
        Assert.Equal(ReplyStatus.Deleted, state.Status);
        Assert.Null(state.Body);
        Assert.False(await s.IsTrackedAsPendingAsync());
        Assert.Equal([ReplyOutcome.Deleted, ReplyOutcome.Replaced], (await s.HistoryAsync()).Select(v => v.Outcome));
        Assert.Equal(nameof(ReplyStatus.Deleted), (await s.ReviewAsync()).ReplyStatus);
    }

    [Fact]
    public async Task A_delete_that_meets_a_5xx_is_retried_through_the_queue()
    {
        await using var s = await ReplyScenario.StartAsync();
        await s.PutAsync("Thanks!");
        await s.PlayQueueAsync();
        s.Asc.Fail(new InjectedFault(503), times: 4, match: r => r.Method == "DELETE");

        await s.DeleteAsync();
        Assert.Equal(2, await s.PlayQueueAsync());

        Assert.Equal(ReplyStatus.Deleted, (await s.StateAsync()).Status);
        Assert.Null(s.Asc.ResponseForReview(s.ReviewId));
        Assert.Equal(5, s.ResponseCalls("DELETE").Count);
    }

    [Fact]
    public async Task Deleting_a_response_already_gone_from_App_Store_Connect_counts_as_deleted()
    {
        await using var s = await ReplyScenario.StartAsync();
        await s.PutAsync("Thanks!");
        await s.PlayQueueAsync();
        s.Asc.RemoveResponse(s.ReviewId);

        await s.DeleteAsync();
        await s.PlayQueueAsync();

        Assert.Equal(ReplyStatus.Deleted, (await s.StateAsync()).Status);
        Assert.Single(s.ResponseCalls("DELETE"));
    }

    [Fact]
    public async Task Deleting_a_queued_reply_completes_at_once_and_never_calls_App_Store_Connect()
    {
        await using var s = await ReplyScenario.StartAsync();
        await s.PutAsync("Thanks!");

        var delete = await s.DeleteAsync();

        Assert.True(delete.Status == 200, delete.ToString());
        Assert.Equal(ReplyStatus.Deleted, delete.As<ReplyResponse>().Status);
        Assert.Equal(1, await s.PlayQueueAsync()); // only the put's message, which finds nothing left to send
        Assert.Empty(s.Asc.Requests);
        Assert.Equal([ReplyOutcome.Deleted, ReplyOutcome.Superseded], (await s.HistoryAsync()).Select(v => v.Outcome));
        Assert.Equal(200, (await s.DeleteAsync()).Status); // deleting again is harmless
        Assert.Equal(2, (await s.HistoryAsync()).Count);
    }

    [Fact]
    public async Task A_response_made_in_App_Store_Connect_itself_can_be_deleted_through_ReviewHub()
    {
        await using var s = await ReplyScenario.StartAsync();
        await s.PutAsync("Written elsewhere.");
        await s.PlayQueueAsync();
        var responseId = s.Asc.ResponseForReview(s.ReviewId)!.Id;
        // Forget ReviewHub's reply: only ingestion's copy of the response id remains.
        await s.App.Get<ReplyStore>().PurgeAppAsync(s.World.AppId, CancellationToken.None);
        await ReplySeeds.ReviewAsync(s.App, s.World, responseId: responseId);

        Assert.Equal(202, (await s.DeleteAsync()).Status);
        await s.PlayQueueAsync();

        Assert.Null(s.Asc.ResponseForReview(s.ReviewId));
        Assert.Equal(ReplyStatus.Deleted, (await s.StateAsync()).Status);
    }

    [Fact]
    public async Task Deleting_a_review_without_a_reply_answers_404()
    {
        await using var s = await ReplyScenario.StartAsync();

        Assert.Equal(404, (await s.DeleteAsync()).Status);
        Assert.Equal(404, (await s.App.Host.GetAsync(s.ReplyPath, s.World.Token)).Status);
        Assert.Null(await s.RowAsync());
    }

    [Fact]
    public async Task A_429_is_retried_through_the_queue_then_succeeds()
    {
        await using var s = await ReplyScenario.StartAsync();
        // More 429s than the HTTP client's own retries (3), so the first queue attempt fails.
        s.Asc.Fail(new InjectedFault(429, FakeAppStoreConnect.RateLimitBody), times: 4, match: r => r.Method == "POST");
        await s.PutAsync("Thanks!");
        var first = Assert.Single(s.App.Queue.Take<ReplySendMessage>(ReplyQueues.ReplySends));

        await s.Sender.SendAsync(first, CancellationToken.None);

        var retrying = await s.StateAsync();
        Assert.Equal(ReplyStatus.Queued, retrying.Status);
        Assert.Equal(1, retrying.Attempts);
        Assert.NotNull(retrying.NextAttemptAt);
        Assert.Contains("RATE_LIMIT_EXCEEDED", retrying.LastError);
        var retry = Assert.Single(s.App.Queue.Sent<ReplySendMessage>(ReplyQueues.ReplySends));
        Assert.Equal(2, retry.Attempt);

        await s.PlayQueueAsync();

        var state = await s.StateAsync();
        Assert.Equal(ReplyStatus.PendingPublish, state.Status);
        Assert.Equal(2, state.Attempts);
        Assert.Null(state.LastError);
        Assert.Equal(5, s.ResponseCalls("POST").Count); // 4 refused, 1 accepted
        Assert.Empty(s.App.Queue.Sent<ReplySendMessage>(PoisonQueues.NameFor(ReplyQueues.ReplySends)));
    }

    [Fact]
    public async Task A_long_retry_after_defers_the_send_by_it_without_holding_the_worker_or_spending_an_attempt()
    {
        await using var s = await ReplyScenario.StartAsync();
        s.Asc.Fail(FakeAppStoreConnect.RateLimited(TimeSpan.FromMinutes(2)), match: r => r.Method == "POST");
        await s.PutAsync("Thanks!");
        var first = Assert.Single(s.App.Queue.Take<ReplySendMessage>(ReplyQueues.ReplySends));

        var watch = Stopwatch.StartNew();
        await s.Sender.SendAsync(first, CancellationToken.None);
        watch.Stop();

        var inProcessLimit = s.App.Get<IOptions<OutboundHttpOptions>>().Value.MaxRetryAfterWait;
        Assert.True(watch.Elapsed < inProcessLimit, $"The worker was held {watch.Elapsed} (limit {inProcessLimit}).");
        Assert.Single(s.ResponseCalls("POST")); // not retried in process
        var (later, delay) = Assert.Single(s.App.Queue.SentWithDelays<ReplySendMessage>(ReplyQueues.ReplySends));
        Assert.Equal((1, 1), (later.Attempt, later.Deferrals));
        Assert.Equal(TimeSpan.FromMinutes(2), delay);
        var waiting = await s.StateAsync();
        Assert.Equal(ReplyStatus.Queued, waiting.Status);
        Assert.Contains("RATE_LIMIT_EXCEEDED", waiting.LastError);
        Assert.InRange(waiting.NextAttemptAt!.Value - DateTimeOffset.UtcNow,
            TimeSpan.FromMinutes(1.5), TimeSpan.FromMinutes(2));

        await s.PlayQueueAsync(); // the queue hands it back once the delay is over

        var state = await s.StateAsync();
        Assert.Equal((ReplyStatus.PendingPublish, 1), (state.Status, state.Attempts));
        Assert.Equal("Thanks!", s.Asc.ResponseForReview(s.ReviewId)!.ResponseBody);
    }

    [Fact]
    public async Task Deferrals_are_bounded_after_them_a_rate_limit_spends_an_attempt()
    {
        await using var s = await ReplyScenario.StartAsync(
            new Dictionary<string, string?> { ["Replies:MaxDeferrals"] = "2" });
        s.Asc.Fail(FakeAppStoreConnect.RateLimited(TimeSpan.FromHours(3)), times: 3, match: r => r.Method == "POST");
        await s.PutAsync("Thanks!");

        for (var deferral = 1; deferral <= 2; deferral++)
        {
            await SendNextAsync(s);
            var (deferred, delay) = Assert.Single(s.App.Queue.SentWithDelays<ReplySendMessage>(ReplyQueues.ReplySends));
            Assert.Equal((1, deferral), (deferred.Attempt, deferred.Deferrals));
            Assert.Equal(TimeSpan.FromHours(1), delay); // capped at OutboundHttp__MaxRetryAfterDeferral
        }
        await SendNextAsync(s);

        var retry = Assert.Single(s.App.Queue.Sent<ReplySendMessage>(ReplyQueues.ReplySends));
        Assert.Equal((2, 2), (retry.Attempt, retry.Deferrals));
        await s.PlayQueueAsync();
        Assert.Equal(ReplyStatus.PendingPublish, (await s.StateAsync()).Status);
    }

    private static Task SendNextAsync(ReplyScenario s) =>
        s.Sender.SendAsync(Assert.Single(s.App.Queue.Take<ReplySendMessage>(ReplyQueues.ReplySends)),
            CancellationToken.None);

    [Fact]
    public async Task A_timeout_counts_as_transient()
    {
        await using var s = await ReplyScenario.StartAsync(new Dictionary<string, string?> { ["AppStoreConnect:Timeout"]
            = "00:00:01" });
        s.Asc.Fail(InjectedFault.Timeout(TimeSpan.FromSeconds(5)), times: 4, match: r => r.Method == "POST");
        await s.PutAsync("Thanks!");

        await s.PlayQueueAsync();

        Assert.Equal(ReplyStatus.PendingPublish, (await s.StateAsync()).Status);
        Assert.Equal("Thanks!", s.Asc.ResponseForReview(s.ReviewId)!.ResponseBody);
    }

    [Fact]
    public async Task A_500_until_the_budget_runs_out_goes_to_the_poison_queue_with_its_context_and_fails()
    {
        await using var s = await ReplyScenario.StartAsync(new Dictionary<string, string?> { ["Replies:MaxSendAttempts"]
            = "2" });
        s.Asc.Fail(new InjectedFault(500, FakeAppStoreConnect.ErrorBody(500, "UNEXPECTED_ERROR",
            "An unexpected error occurred.")), times: 100);
        await s.PutAsync("Thanks!");

        Assert.Equal(2, await s.PlayQueueAsync());

        var poison = Assert.Single(s.App.Queue.Sent<ReplySendMessage>(PoisonQueues.NameFor(ReplyQueues.ReplySends)));
        Assert.Equal((s.World.AccountId, s.World.AppId, s.ReviewId, 1, 1), (poison.AccountId, poison.AppId,
            poison.ReviewId, poison.Version, poison.Attempt));
        Assert.Contains("500", poison.LastError);
        var state = await s.StateAsync();
        Assert.Equal(ReplyStatus.Failed, state.Status);
        Assert.Equal(ReplyFailure.Unavailable, state.FailureCode);
        Assert.Contains("2 attempts", state.FailureReason);
        Assert.Equal(ReplyOutcome.Failed, Assert.Single(await s.HistoryAsync()).Outcome);

        // An operator's replay once App Store Connect is back sends it.
        s.Asc.ClearFaults();
        await s.Sender.SendAsync(poison, CancellationToken.None);
        Assert.Equal(ReplyStatus.PendingPublish, (await s.StateAsync()).Status);
    }

    [Fact]
    public async Task A_replayed_poison_message_gets_a_fresh_retry_budget()
    {
        await using var s = await ReplyScenario.StartAsync(new Dictionary<string, string?> { ["Replies:MaxSendAttempts"]
            = "2" });
        var outage = new InjectedFault(500, FakeAppStoreConnect.ErrorBody(500, "UNEXPECTED_ERROR",
            "An unexpected error occurred."));
        s.Asc.Fail(outage, times: 100);
        await s.PutAsync("Thanks!");
        await s.PlayQueueAsync();
        var poison = Assert.Single(s.App.Queue.Take<ReplySendMessage>(PoisonQueues.NameFor(ReplyQueues.ReplySends)));

        // Replayed while App Store Connect still has a hiccup (one queue attempt's worth of 500s): retried, not
        // poisoned again.
        s.Asc.ClearFaults();
        s.Asc.Fail(outage, times: 4, match: r => r.Method == "POST");
        await s.Sender.SendAsync(poison, CancellationToken.None);

        Assert.Empty(s.App.Queue.Sent<ReplySendMessage>(PoisonQueues.NameFor(ReplyQueues.ReplySends)));
        Assert.Equal(ReplyStatus.Queued, (await s.StateAsync()).Status);
        Assert.Equal(2, Assert.Single(s.App.Queue.Sent<ReplySendMessage>(ReplyQueues.ReplySends)).Attempt);
        await s.PlayQueueAsync();
        Assert.Equal(ReplyStatus.PendingPublish, (await s.StateAsync()).Status);
    }

    public static TheoryData<int, string, string> PermanentErrors => new()
    {
        { 403, "FORBIDDEN_ERROR", nameof(ReplyFailure.RoleMissing) },
        { 403, "FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED", nameof(ReplyFailure.AgreementsMissing) },
        { 409, "ENTITY_ERROR.ATTRIBUTE.INVALID", nameof(ReplyFailure.Rejected) },
        { 422, "ENTITY_UNPROCESSABLE", nameof(ReplyFailure.Rejected) },
        { 404, "NOT_FOUND", nameof(ReplyFailure.ReviewNotFound) },
    };

    [Theory]
    [MemberData(nameof(PermanentErrors))]
    public async Task Other_4xx_fail_at_once_with_a_reason_from_the_error_code(int status, string code,
        string failure)
    {
        var expected = Enum.Parse<ReplyFailure>(failure);
        await using var s = await ReplyScenario.StartAsync();
        s.Asc.Fail(new InjectedFault(status, FakeAppStoreConnect.ErrorBody(status, code, "Refused.")), match: r =>
            r.Method == "POST");
        await s.PutAsync("Thanks!");

        Assert.Equal(1, await s.PlayQueueAsync());

        var state = await s.StateAsync();
        Assert.Equal(ReplyStatus.Failed, state.Status);
        Assert.Equal(expected, state.FailureCode);
        Assert.False(string.IsNullOrWhiteSpace(state.FailureReason));
        Assert.Single(s.ResponseCalls("POST"));
        Assert.Empty(s.App.Queue.Sent<ReplySendMessage>(PoisonQueues.NameFor(ReplyQueues.ReplySends)));
        Assert.Equal(nameof(ReplyStatus.Failed), (await s.ReviewAsync()).ReplyStatus);

        // Writing the reply again retries it (once the check queued after a refused key found the connection
        // working: while it is degraded, replies wait).
        var connection = (await s.App.Get<IntegrationStore>().GetAsync(s.World.AccountId, s.World.AppId,
            CancellationToken.None))!;
        await s.App.Get<IntegrationStore>().RecoverAsync(connection, CancellationToken.None);
        Assert.Equal(202, (await s.PutAsync("Thanks!")).Status);
        await s.PlayQueueAsync();
        Assert.Equal(ReplyStatus.PendingPublish, (await s.StateAsync()).Status);
    }

    [Fact]
    public async Task A_reply_refused_for_the_key_shows_in_the_integration_status_waits_and_goes_once_the_key_works()
    {
        await using var s = await ReplyScenario.StartAsync();
        s.Asc.Fail(new InjectedFault(401, FakeAppStoreConnect.ErrorBody(401, "NOT_AUTHORIZED", "Refused.")),
            match: r => r.Method == "POST");
        await s.PutAsync("Thanks!");
        await s.PlayQueueAsync();
        var held = await s.StateAsync();
        Assert.Equal((ReplyStatus.Paused, null), (held.Status, held.FailureCode));
        Assert.Contains("rejected the integration's API key", held.LastError, StringComparison.Ordinal);

        var refused = await IntegrationStatusAsync(s);
        Assert.NotNull(refused.KeyRefusedAt);
        Assert.Contains("401 NOT_AUTHORIZED", refused.KeyRefusal);
        Assert.Contains("sending a reply", refused.KeyRefusal);
        Assert.Contains("replies wait", refused.NextStep);

        // Written again while degraded: it waits too, nothing reaches App Store Connect.
        Assert.Equal(202, (await s.PutAsync("Thanks again!")).Status);
        await s.PlayQueueAsync();
        Assert.Equal(ReplyStatus.Paused, (await s.StateAsync()).Status);
        Assert.Single(s.ResponseCalls("POST"));

        // A call with the key goes through (a fetch): the refusal no longer holds, and the tracker releases the reply.
        var connection = (await s.App.Get<AppConnections>().GetAsync(s.World.AccountId, s.World.AppId,
            CancellationToken.None))!;
        await s.App.Get<IntegrationKeyRefusals>().AcceptedAsync(connection, CancellationToken.None);
        await s.Tracker(TimeSpan.FromHours(1)).CheckAsync(CancellationToken.None);
        await s.PlayQueueAsync();

        Assert.Equal(ReplyStatus.PendingPublish, (await s.StateAsync()).Status);
        Assert.Contains("Thanks again!", s.ResponseCalls("POST")[^1].Body, StringComparison.Ordinal);
        var accepted = await IntegrationStatusAsync(s);
        Assert.Equal((null, null, "active"), (accepted.KeyRefusedAt, accepted.KeyRefusal, accepted.Status));
    }

    private static async Task<IntegrationStatusResponse> IntegrationStatusAsync(ReplyScenario s)
    {
        // ReplyScenario seeds the connection under the app's id.
        var response = await s.App.Host.GetAsync($"{s.World.AccountPath}/connections/{s.World.AppId}", s.World.Token);
        Assert.True(response.Status == 200, response.ToString());
        return response.As<IntegrationStatusResponse>();
    }

    public static TheoryData<string, string?, string> UnusableIntegrations => new()
    {
        { nameof(IntegrationStatus.Cancelled), null, nameof(ReplyFailure.IntegrationInactive) },
        { nameof(IntegrationStatus.Active), null, nameof(ReplyFailure.CredentialMissing) },
        { nameof(IntegrationStatus.Active), "asc-key-that-was-deleted", nameof(ReplyFailure.CredentialMissing) },
    };

    [Theory]
    [MemberData(nameof(UnusableIntegrations))]
    public async Task A_reply_whose_integration_became_unusable_fails_without_calling_App_Store_Connect(
        string statusName, string? credentialReference, string failure)
    {
        var (status, expected) = (Enum.Parse<IntegrationStatus>(statusName), Enum.Parse<ReplyFailure>(failure));
        await using var s = await ReplyScenario.StartAsync();
        await s.PutAsync("Thanks!");
        await ReplySeeds.IntegrationAsync(s.App, s.World, status: status, credentialReference: credentialReference);

        await s.PlayQueueAsync();

        var state = await s.StateAsync();
        Assert.Equal((ReplyStatus.Failed, expected), (state.Status, state.FailureCode));
        Assert.Empty(s.Asc.Requests);
    }

    [Fact]
    public async Task A_reply_still_pending_past_the_window_is_flagged_overdue_once_in_the_api_and_the_metrics()
    {
        await using var s = await ReplyScenario.StartAsync();
        using var recorded = new RecordedMeasurements(s.App.Get<ReviewHubMetrics>().Meter);
        await s.PutAsync("Thanks!");
        await s.PlayQueueAsync();

        await s.Tracker(TimeSpan.FromHours(11)).CheckAsync(CancellationToken.None);
        Assert.False((await s.StateAsync()).Overdue);
        Assert.Equal([0.0], recorded.Values(ReviewHubMetrics.Names.RepliesOverduePending));

        var summary = await s.Tracker(TimeSpan.FromHours(12.5)).CheckAsync(CancellationToken.None);
        await s.Tracker(TimeSpan.FromHours(13)).CheckAsync(CancellationToken.None);

        var state = await s.StateAsync();
        Assert.Equal(ReplyStatus.PendingPublish, state.Status);
        Assert.True(state.Overdue);
        Assert.NotNull(state.OverdueAt);
        Assert.True(summary.FlaggedOverdue >= 1);
        Assert.Equal([$"{ReviewHubMetrics.Names.RepliesOverdue} 1"],
            recorded.LinesOf(ReviewHubMetrics.Names.RepliesOverdue));
        // The gauge the alert reads: every check reports how many replies are overdue now.
        Assert.Equal(3, recorded.Values(ReviewHubMetrics.Names.RepliesOverduePending).Count);
        Assert.All(recorded.Values(ReviewHubMetrics.Names.RepliesOverduePending).Skip(1), value =>
            Assert.True(value >= 1, $"gauge {value}"));
    }

    [Fact]
    public async Task Each_state_a_reply_version_enters_is_counted_once_on_the_ReviewHub_meter()
    {
        await using var s = await ReplyScenario.StartAsync();
        using var recorded = new RecordedMeasurements(s.App.Get<ReviewHubMetrics>().Meter);
        var replies = () => recorded.LinesOf(ReviewHubMetrics.Names.Replies).Select(line =>
            line[(line.LastIndexOf('=') + 1)..]).ToList();

        await s.PutAsync("Thanks!");
        await s.PutAsync("Thanks!"); // a client retry adds no version
        var messages = s.App.Queue.Sent<ReplySendMessage>(ReplyQueues.ReplySends).Where(m => m.AppId == s.World.AppId)
            .ToList();
        await s.PlayQueueAsync();
        await s.Sender.SendAsync(messages[0], CancellationToken.None); // the message delivered again
        Assert.Equal([nameof(ReplyOutcome.Queued), nameof(ReplyOutcome.PendingPublish)], replies());

        s.Asc.PublishResponse(s.ReviewId);
        await s.Tracker(PastCheckInterval).CheckAsync(CancellationToken.None);
        Assert.Equal(nameof(ReplyOutcome.Published), replies()[^1]);

        s.Asc.Fail(new InjectedFault(403, FakeAppStoreConnect.ErrorBody(403, "FORBIDDEN_ERROR", "Refused.")),
            match: r => r.Method == "POST");
        await s.PutAsync("Thanks again!");
        await s.PlayQueueAsync();

        Assert.Equal(
            [nameof(ReplyOutcome.Queued), nameof(ReplyOutcome.PendingPublish), nameof(ReplyOutcome.Published),
                nameof(ReplyOutcome.Queued), nameof(ReplyOutcome.Failed)],
            replies());
        Assert.Equal(ReplyStatus.Failed, (await s.StateAsync()).Status);
    }

    [Fact]
    public async Task The_moderation_window_is_configurable()
    {
        await using var s = await ReplyScenario.StartAsync(new Dictionary<string,
            string?> { ["Replies:ModerationWindow"] = "01:00:00" });
        await s.PutAsync("Thanks!");
        await s.PlayQueueAsync();

        await s.Tracker(TimeSpan.FromHours(2)).CheckAsync(CancellationToken.None);

        Assert.True((await s.StateAsync()).Overdue);
    }

    [Fact]
    public async Task A_response_that_disappears_while_pending_fails_with_the_reason()
    {
        await using var s = await ReplyScenario.StartAsync();
        await s.PutAsync("Thanks!");
        await s.PlayQueueAsync();
        s.Asc.RemoveResponse(s.ReviewId);

        await s.Tracker(PastCheckInterval).CheckAsync(CancellationToken.None);

        var state = await s.StateAsync();
        Assert.Equal(ReplyStatus.Failed, state.Status);
        Assert.Equal(ReplyFailure.RemovedFromAppStoreConnect, state.FailureCode);
        Assert.False(await s.IsTrackedAsPendingAsync());
    }

    [Fact]
    public async Task A_rate_limited_moderation_check_keeps_the_reply_pending_and_tries_again_later()
    {
        await using var s = await ReplyScenario.StartAsync();
        await s.PutAsync("Thanks!");
        await s.PlayQueueAsync();
        s.Asc.PublishResponse(s.ReviewId);
        s.Asc.Fail(new InjectedFault(429, FakeAppStoreConnect.RateLimitBody), times: 4, match: r => r.Method == "GET");

        await s.Tracker(PastCheckInterval).CheckAsync(CancellationToken.None);
        Assert.Equal(ReplyStatus.PendingPublish, (await s.StateAsync()).Status);
        Assert.True(await s.IsTrackedAsPendingAsync());

        await s.Tracker(PastCheckInterval * 3).CheckAsync(CancellationToken.None);
        Assert.Equal(ReplyStatus.Published, (await s.StateAsync()).Status);
    }

    [Fact]
    public async Task An_edit_while_pending_is_followed_as_the_new_version_and_the_old_index_entry_is_dropped()
    {
        await using var s = await ReplyScenario.StartAsync();
        await s.PutAsync("First answer.");
        await s.PlayQueueAsync();
        await s.PutAsync("Second answer.");

        Assert.Equal(nameof(ReplyStatus.Queued), (await s.IndexEntryAsync())!.Stage); // the edit is watched as queued
        Assert.Equal(ReplyStatus.Queued, (await s.StateAsync()).Status);

        await s.PlayQueueAsync();
        Assert.True(await s.IsTrackedAsPendingAsync());
        s.Asc.PublishResponse(s.ReviewId);
        await s.Tracker(PastCheckInterval * 2).CheckAsync(CancellationToken.None);

        var state = await s.StateAsync();
        Assert.Equal((ReplyStatus.Published, 2, "Second answer."), (state.Status, state.Version, state.Body));
        Assert.Equal([ReplyOutcome.Published, ReplyOutcome.Replaced], (await s.HistoryAsync()).Select(v => v.Outcome));
    }

    [Fact]
    public async Task A_delete_asked_while_a_send_is_in_flight_is_queued_behind_it()
    {
        await using var s = await ReplyScenario.StartAsync();
        await s.PutAsync("Thanks!");
        var publish = Assert.Single(s.App.Queue.Take<ReplySendMessage>(ReplyQueues.ReplySends));
        await s.ClaimAsync(version: 1, at: DateTimeOffset.UtcNow);

        var delete = await s.DeleteAsync();
        // the send in flight may create a response: the delete must follow it
        Assert.True(delete.Status == 202, delete.ToString());
        var deleteMessage = Assert.Single(s.App.Queue.Take<ReplySendMessage>(ReplyQueues.ReplySends));

        // The in-flight send ends (here: its lease runs out without a response created); then the delete runs.
        await s.ClaimAsync(version: 1, at: DateTimeOffset.UtcNow.AddHours(-1));
        await s.Sender.SendAsync(publish, CancellationToken.None); // superseded: sends nothing
        Assert.Empty(s.ResponseCalls("POST"));
        await s.Sender.SendAsync(deleteMessage, CancellationToken.None);

        Assert.Equal(ReplyStatus.Deleted, (await s.StateAsync()).Status);
        Assert.Empty(s.ResponseCalls("DELETE")); // nothing had reached App Store Connect
    }

    [Fact]
    public async Task The_app_refuses_to_start_with_invalid_reply_settings()
    {
        var ex = await Record.ExceptionAsync(() => TestApp.StartAsync(new Dictionary<string,
            string?> { ["Replies:MaxSendAttempts"] = "0" }));

        Assert.Contains("MaxSendAttempts", Assert.IsType<Microsoft.Extensions.Options.OptionsValidationException>(ex)
            .Message);
    }

    [Fact]
    public async Task A_rate_limited_key_is_spared_for_the_rest_of_the_run()
    {
        await using var s = await ReplyScenario.StartAsync(new Dictionary<string,
            string?> { ["Replies:ModerationParallelism"] = "1" });
        await s.AddReviewAsync("second-review");
        await s.PutAsync("Thanks!");
        await s.PutAsync("Thanks too!", "second-review");
        await s.PlayQueueAsync();
        s.Asc.Fail(new InjectedFault(429, FakeAppStoreConnect.RateLimitBody), times: 8, match: r => r.Method == "GET");

        await s.Tracker(PastCheckInterval).CheckAsync(CancellationToken.None);

        Assert.Equal(4, s.ResponseCalls("GET").Count); // one check (the client's 4 tries), then the key is left alone
    }

    [Fact]
    public async Task Checks_stop_before_they_eat_the_budget_reserve_of_a_key()
    {
        await using var s = await ReplyScenario.StartAsync(new Dictionary<string,
            string?> { ["Replies:ModerationParallelism"] = "1" });
        await s.AddReviewAsync("second-review");
        await s.PutAsync("Thanks!");
        await s.PutAsync("Thanks too!", "second-review");
        await s.PlayQueueAsync();
        s.Asc.HourlyLimit = 3; // 2 used by the posts: the first check leaves nothing in reserve

        await s.Tracker(PastCheckInterval).CheckAsync(CancellationToken.None);

        Assert.Single(s.ResponseCalls("GET"));
    }

    [Fact]
    public async Task A_queued_reply_whose_message_was_lost_is_queued_again_by_the_timer()
    {
        await using var s = await ReplyScenario.StartAsync();
        using var recorded = new RecordedMeasurements(s.App.Get<ReviewHubMetrics>().Meter);
        await s.PutAsync("Thanks!");
        Assert.Equal(nameof(ReplyStatus.Queued), (await s.IndexEntryAsync())!.Stage);
        s.App.Queue.Take<ReplySendMessage>(ReplyQueues.ReplySends); // the message is lost

        await s.Tracker(TimeSpan.FromMinutes(5)).CheckAsync(CancellationToken.None);
        Assert.DoesNotContain(s.App.Queue.Sent<ReplySendMessage>(ReplyQueues.ReplySends),
            m => m.AppId == s.World.AppId);

        await s.Tracker(TimeSpan.FromMinutes(11)).CheckAsync(CancellationToken.None);
        var requeued = Assert.Single(s.App.Queue.Sent<ReplySendMessage>(ReplyQueues.ReplySends), m =>
            m.AppId == s.World.AppId);
        Assert.Equal((1, 1), (requeued.Version, requeued.Attempt));
        Assert.Equal(1, recorded.Sum(ReviewHubMetrics.Names.RepliesRequeued));
        Assert.Equal(1, await s.PlayQueueAsync());

        Assert.Equal(ReplyStatus.PendingPublish, (await s.StateAsync()).Status);
        Assert.True(await s.IsTrackedAsPendingAsync());
        Assert.Single(s.ResponseCalls("POST"));
    }

    [Fact]
    public async Task A_reply_held_by_a_sender_is_not_queued_again()
    {
        await using var s = await ReplyScenario.StartAsync();
        await s.PutAsync("Thanks!");
        s.App.Queue.Take<ReplySendMessage>(ReplyQueues.ReplySends);
        // a sender at work, as the shifted clock sees it
        await s.ClaimAsync(version: 1, at: DateTimeOffset.UtcNow.AddMinutes(11));

        await s.Tracker(TimeSpan.FromMinutes(11)).CheckAsync(CancellationToken.None);

        Assert.DoesNotContain(s.App.Queue.Sent<ReplySendMessage>(ReplyQueues.ReplySends),
            m => m.AppId == s.World.AppId);
        Assert.NotNull(await s.IndexEntryAsync());
    }

    [Fact]
    public async Task Removing_the_app_purges_its_replies_history_and_pending_entries()
    {
        await using var s = await ReplyScenario.StartAsync();
        await s.PutAsync("Thanks!");
        await s.PlayQueueAsync();
        var purger = s.App.Services.GetServices<ReviewHub.Apps.IAppDataPurger>().Single(p =>
            p.GetType().Name == "ReplyDataPurger");

        await purger.PurgeAsync(s.World.AccountId, s.World.AppId, CancellationToken.None);
        await purger.PurgeAsync(s.World.AccountId, s.World.AppId, CancellationToken.None); // idempotent

        Assert.Null(await s.RowAsync());
        Assert.False(await s.IsTrackedAsPendingAsync());
        var tables = s.App.Get<TableServiceClient>();
        Assert.Empty(await tables.GetTableClient(ReplyTables.ReplyHistory)
            .QueryAsync<TableEntity>(e => e.PartitionKey == s.World.AppId).ToListAsync());
    }
}
