using Microsoft.Extensions.DependencyInjection;
using ReviewHub.Fakes;
using ReviewHub.GooglePlay;
using ReviewHub.Paging;

namespace ReviewHub.Tests.GooglePlay;

/// <summary>Hourly polls of a Play app: new reviews, edits, overlap in the 7-day window, gaps, bounds.</summary>
public sealed class PlayReviewPollTests
{
    private const string Package = "com.example.poll";

    private static GooglePlayServiceAccountKey Granted(PlayHarness h)
    {
        var key = h.CreateServiceAccount(out var account);
        h.Play.AddApp(Package);
        h.Play.SetGrant(account.ClientEmail, Package, FakePlayGrant.Granted);
        return key;
    }

    private static PlayReviewPoll Poll(PlayHarness h) => h.Services.GetRequiredService<PlayReviewPoll>();

    [Fact]
    public async Task Hourly_polls_read_only_what_changed_including_edits_and_one_request_when_nothing_did()
    {
        await using var h = await PlayHarness.StartAsync();
        var key = Granted(h);
        h.Play.ShortPageEvery = 2;
        h.Play.SetReviews(Package, FakeGooglePlay.GenerateReviews(250, h.Clock.GetUtcNow().AddMinutes(-1)));

        var first = await Poll(h).PollAsync(key, Package, null, new PlayPollState(null, null), CancellationToken.None);
        Assert.Equal(250, first.Changed.Count);
        Assert.Null(first.Gap);

        h.Clock.Offset += TimeSpan.FromHours(1);
        var idle = await Poll(h).PollAsync(key, Package, null, first.State, CancellationToken.None);
        Assert.Equal((0, 1), (idle.Changed.Count, idle.Requests));

        h.Clock.Offset += TimeSpan.FromHours(1);
        h.Play.SetReviews(Package, FakeGooglePlay.GenerateReviews(3, h.Clock.GetUtcNow().AddMinutes(-2), "new"));
        h.Play.EditReview(Package, "gp:AOqpTOr000200", "Changed my mind", 5);
        var next = await Poll(h).PollAsync(key, Package, null, idle.State, CancellationToken.None);

        Assert.Equal(["gp:AOqpTOr000200", "gp:AOqpTOnew000000", "gp:AOqpTOnew000001", "gp:AOqpTOnew000002"],
            next.Changed.Select(r => r.ReviewId));
        Assert.Equal((5, "Changed my mind"), (next.Changed[0].StarRating, next.Changed[0].Body));
        Assert.Equal(1, next.Requests);
    }

    [Fact]
    public async Task A_poll_after_more_than_7_days_reports_the_gap_it_cannot_recover()
    {
        await using var h = await PlayHarness.StartAsync();
        var key = Granted(h);
        h.Play.SetReviews(Package, FakeGooglePlay.GenerateReviews(5, h.Clock.GetUtcNow()));
        var first = await Poll(h).PollAsync(key, Package, null, new PlayPollState(null, null), CancellationToken.None);

        h.Clock.Offset += TimeSpan.FromDays(6);
        var inTime = await Poll(h).PollAsync(key, Package, null, first.State, CancellationToken.None);
        Assert.Null(inTime.Gap);

        h.Clock.Offset += TimeSpan.FromDays(9); // the connection was down
        h.Play.SetReviews(Package, FakeGooglePlay.GenerateReviews(2, h.Clock.GetUtcNow().AddDays(-1), "late"));
        var late = await Poll(h).PollAsync(key, Package, null, inTime.State, CancellationToken.None);

        Assert.Equal(2, late.Changed.Count);
        var gap = Assert.IsType<PlayGap>(late.Gap);
        Assert.Equal(inTime.State.LastCompletedAt, gap.From);
        Assert.Equal(late.State.LastCompletedAt!.Value - PlayReviewPoll.ListWindow, gap.To);
    }

    [Fact]
    public async Task A_failed_poll_keeps_the_state_so_the_next_one_reads_the_same_reviews_again()
    {
        await using var h = await PlayHarness.StartAsync();
        var key = Granted(h);
        h.Play.SetReviews(Package, FakeGooglePlay.GenerateReviews(150, h.Clock.GetUtcNow()));
        var state = new PlayPollState(null, null);
        h.Play.Fail(FakeGooglePlay.QuotaExceeded(TimeSpan.FromMinutes(30)),
            match: r => r.QueryString.Value?.Contains("token=", StringComparison.Ordinal) == true);

        var ex = await Assert.ThrowsAsync<GooglePlayException>(() =>
            Poll(h).PollAsync(key, Package, null, state, CancellationToken.None));
        Assert.Equal((GooglePlayFailure.RateLimited, TimeSpan.FromMinutes(30)), (ex.Failure, ex.RetryAfter));

        var retried = await Poll(h).PollAsync(key, Package, null, state, CancellationToken.None);
        Assert.Equal(150, retried.Changed.Count);
    }

    [Fact]
    public async Task A_page_token_Play_sends_back_again_stops_the_poll_instead_of_looping()
    {
        await using var h = await PlayHarness.StartAsync();
        var key = Granted(h);
        h.Play.SetReviews(Package, FakeGooglePlay.GenerateReviews(150, h.Clock.GetUtcNow()));
        var looping = """
            {"reviews":[{"reviewId":"gp:loop","comments":[{"userComment":{"text":"x","starRating":3,
            "lastModified":{"seconds":"4102444800","nanos":0}}}]}],"tokenPagination":{"nextPageToken":"same"}}
            """;
        h.Play.Fail(new InjectedFault(200, looping), times: 5, match: r => r.Path.Value!.EndsWith("/reviews"));

        var ex = await Assert.ThrowsAsync<PagingLoopException>(() =>
            Poll(h).PollAsync(key, Package, null, new PlayPollState(null, null), CancellationToken.None));
        Assert.Contains("already read", ex.Message);
    }
}
