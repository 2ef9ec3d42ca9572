using ReviewHub.Fakes;
using ReviewHub.GooglePlay;
using ReviewHub.Replies;

namespace ReviewHub.Tests.GooglePlay;

/// <summary>
/// Replies to Google Play reviews: the same PUT/GET/history API and reply store as App Store replies, Play's
/// 350-character limit at the API, no delete (409), publication read back from Play, and a missing grant.
/// </summary>
public sealed class PlayReplyTests
{
    private const string ReviewId = "gp:AOqpTOr000000";

    private static async Task<PlayIngestion> WithFetchedReviewAsync()
    {
        var h = await PlayIngestion.StartAsync();
        h.Play.SetReviews(PlayIngestion.Package, FakeGooglePlay.GenerateReviews(3, h.Clock.GetUtcNow()));
        await h.FetchAsync();
        return h;
    }

    private static string ReplyPath(PlayIngestion h) => $"{h.AppPath}/reviews/{ReviewId}/reply";

    private static async Task SendQueuedAsync(PlayIngestion h)
    {
        foreach (var message in h.App.Queue.Take<ReplySendMessage>(ReplyQueues.ReplySends))
        {
            await h.App.Get<ReplySender>().SendAsync(message, CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_reply_goes_through_the_same_flow_and_is_published_once_Play_shows_it_and_can_be_edited()
    {
        await using var h = await WithFetchedReviewAsync();

        var put = await h.App.Host.PutAsync(ReplyPath(h), h.World.Token, new { body = "Thanks <b>Ana</b>!" });
        Assert.True(put.Status == 202, put.ToString());
        await SendQueuedAsync(h);

        var reply = (await h.App.Host.GetAsync(ReplyPath(h), h.World.Token)).As<ReplyResponse>();
        Assert.Equal(ReplyStatus.Published, reply.Status);
        Assert.Equal("Thanks Ana!", h.Play.Review(PlayIngestion.Package, ReviewId)!.Reply!.Text); // Play strips tags

        var edit = await h.App.Host.PutAsync(ReplyPath(h), h.World.Token, new { body = "Fixed in 3.2.1." });
        Assert.True(edit.Status == 202, edit.ToString());
        await SendQueuedAsync(h);
        Assert.Equal("Fixed in 3.2.1.", h.Play.Review(PlayIngestion.Package, ReviewId)!.Reply!.Text);
        var history = await h.App.Host.GetAsync(ReplyPath(h) + "/history", h.World.Token);
        Assert.Equal(2, history.Json.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_reply_over_350_characters_is_a_problem_at_the_API_and_nothing_is_written()
    {
        await using var h = await WithFetchedReviewAsync();

        var tooLong = await h.App.Host.PutAsync(ReplyPath(h), h.World.Token, new { body = new string('a', 351) });

        Assert.True(tooLong.Status == 400, tooLong.ToString());
        Assert.Equal("application/problem+json", tooLong.ContentType);
        Assert.Contains("350", tooLong.Json.GetProperty("errors").GetProperty("body")[0].GetString(),
            StringComparison.Ordinal);
        Assert.Empty(h.App.Queue.Sent<ReplySendMessage>(ReplyQueues.ReplySends));
        Assert.Equal(404, (await h.App.Host.GetAsync(ReplyPath(h), h.World.Token)).Status);

        // 350 characters counted as Play counts them (code points), not UTF-16 units.
        var emoji = string.Concat(Enumerable.Repeat("😀", 350));
        var atLimit = await h.App.Host.PutAsync(ReplyPath(h), h.World.Token, new { body = emoji });
        Assert.True(atLimit.Status == 202, atLimit.ToString());
    }

    [Fact]
    public async Task Deleting_a_Play_reply_answers_409_with_the_reason_and_changes_nothing()
    {
        await using var h = await WithFetchedReviewAsync();
        await h.App.Host.PutAsync(ReplyPath(h), h.World.Token, new { body = "Thanks!" });
        await SendQueuedAsync(h);

        var delete = await h.App.Host.DeleteAsync(ReplyPath(h), h.World.Token);

        Assert.True(delete.Status == 409, delete.ToString());
        Assert.Equal(ReplyFunctions.PlayReplyCannotBeDeletedType, delete.Json.GetProperty("type").GetString());
        Assert.Contains("cannot delete", delete.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(h.App.Queue.Sent<ReplySendMessage>(ReplyQueues.ReplySends));
        Assert.Equal("Thanks!", h.Play.Review(PlayIngestion.Package, ReviewId)!.Reply!.Text);
    }

    [Fact]
    public async Task Without_the_grant_the_reply_fails_with_who_must_act_and_is_not_retried()
    {
        await using var h = await WithFetchedReviewAsync();
        h.Play.SetGrant(h.ServiceAccount!.ClientEmail, PlayIngestion.Package, FakePlayGrant.Denied);

        await h.App.Host.PutAsync(ReplyPath(h), h.World.Token, new { body = "Thanks!" });
        await SendQueuedAsync(h);

        var reply = (await h.App.Host.GetAsync(ReplyPath(h), h.World.Token)).As<ReplyResponse>();
        Assert.Equal((ReplyStatus.Failed, ReplyFailure.RoleMissing), (reply.Status, reply.FailureCode));
        Assert.Contains(h.ServiceAccount.ClientEmail, reply.FailureReason, StringComparison.Ordinal);
        Assert.Empty(h.App.Queue.Sent<ReplySendMessage>(ReplyQueues.ReplySends));
        // The refusal degraded the account's Play connection at once and queued its health check.
        var connection = await h.App.Get<PlayConnectionStore>().GetAsync(h.World.AccountId, CancellationToken.None);
        Assert.Equal(PlayConnectionStatus.Degraded, connection!.StatusValue);
        Assert.Single(h.App.Queue.Sent<PlayConnectionCheckRequest>(GooglePlayQueues.PlayConnectionChecks));
    }
}
