using System.Net;
using ReviewHub.Fakes;
using ReviewHub.GooglePlay;

namespace ReviewHub.Tests.GooglePlay;

/// <summary>The typed Play client against the fake: paging, the 7-day window, edits, replies, failures.</summary>
public sealed class GooglePlayClientTests
{
    private const string Package = "com.example.reviews";

    /// <summary>A service account the customer invited for <see cref="Package"/>, with the grant propagated.</summary>
    private static GooglePlayServiceAccountKey Granted(PlayHarness h)
    {
        var key = h.CreateServiceAccount(out var account);
        h.Play.AddApp(Package);
        h.Play.SetGrant(account.ClientEmail, Package, FakePlayGrant.Granted);
        return key;
    }

    private static async Task<List<PlayReview>> ListAllAsync(PlayHarness h, GooglePlayServiceAccountKey key,
        string? language = null)
    {
        var all = new List<PlayReview>();
        string? token = null;
        do
        {
            var page = await h.Client.ListReviewsAsync(key, Package, token, language, CancellationToken.None);
            all.AddRange(page.Reviews);
            token = page.NextPageToken;
        }
        while (token is not null);
        return all;
    }

    [Fact]
    public async Task Pages_by_token_through_short_pages_and_sees_only_text_reviews_of_the_last_7_days()
    {
        await using var h = await PlayHarness.StartAsync();
        var key = Granted(h);
        h.Play.ShortPageEvery = 2;
        var now = h.Clock.GetUtcNow();
        h.Play.SetReviews(Package, FakeGooglePlay.GenerateReviews(230, now.AddMinutes(-1)));
        h.Play.SetReviews(Package, [
            new FakePlayReview("gp:old", 2, "Eight days ago", now.AddDays(-8)),
            new FakePlayReview("gp:stars-only", 5, null, now.AddMinutes(-2)),
        ]);

        var all = await ListAllAsync(h, key);

        Assert.Equal(230, all.Count);
        Assert.Equal(230, all.Select(r => r.ReviewId).Distinct().Count());
        Assert.DoesNotContain(all, r => r.ReviewId is "gp:old" or "gp:stars-only");
        Assert.Equal(all.OrderByDescending(r => r.LastModified).Select(r => r.ReviewId), all.Select(r => r.ReviewId));
        var titled = all.Single(r => r.ReviewId == "gp:AOqpTOr000000");
        Assert.Equal(("Title 0", "Body of review 0"), (titled.Title, titled.Body));
        Assert.True(h.Play.Requests.Count(r => r.Path.EndsWith("/reviews", StringComparison.Ordinal)) > 3,
            "short pages make more requests than 230/100");
    }

    [Fact]
    public async Task A_translation_language_returns_the_translation_with_the_original_text()
    {
        await using var h = await PlayHarness.StartAsync();
        var key = Granted(h);
        h.Play.SetReviews(Package, [new FakePlayReview("gp:de", 5, "Super Übersicht", h.Clock.GetUtcNow(),
            ReviewerLanguage: "de")]);

        var review = Assert.Single(await ListAllAsync(h, key, "en_GB"));
        Assert.Equal(("[en_GB] Super Übersicht", "Super Übersicht"), (review.Body, review.OriginalText));
        Assert.Contains("translationLanguage=en_GB", h.Play.Requests[^1].Query);
        var got = await h.Client.GetReviewAsync(key, Package, "gp:de", null, CancellationToken.None);
        Assert.Equal(("Super Übersicht", null), (got.Body, got.OriginalText));
    }

    [Fact]
    public async Task An_edit_moves_lastModified_and_shows_the_reply_was_written_before_it()
    {
        await using var h = await PlayHarness.StartAsync();
        var key = Granted(h);
        h.Play.SetReviews(Package, [new FakePlayReview("gp:edit", 1, "Crashes", h.Clock.GetUtcNow().AddDays(-2))]);
        var applied = await h.Client.ReplyAsync(key, Package, "gp:edit", "Sorry! <b>3.2.1</b> fixes it.",
            CancellationToken.None);
        Assert.Equal("Sorry! 3.2.1 fixes it.", applied.ReplyText);
        var replied = await h.Client.GetReviewAsync(key, Package, "gp:edit", null, CancellationToken.None);
        Assert.False(replied.EditedAfterReply);

        h.Clock.Offset += TimeSpan.FromHours(5);
        h.Play.EditReview(Package, "gp:edit", "Works now, thanks", 5);

        var edited = Assert.Single(await ListAllAsync(h, key));
        Assert.Equal((5, "Works now, thanks"), (edited.StarRating, edited.Body));
        Assert.True(edited.LastModified > replied.LastModified);
        Assert.True(edited.EditedAfterReply);
        Assert.Equal("Sorry! 3.2.1 fixes it.", edited.Reply!.Text);
    }

    [Fact]
    public async Task A_reply_over_350_characters_is_rejected_by_Play_and_a_reply_can_be_replaced()
    {
        await using var h = await PlayHarness.StartAsync();
        var key = Granted(h);
        h.Play.SetReviews(Package, [new FakePlayReview("gp:r", 3, "Meh", h.Clock.GetUtcNow())]);

        var tooLong = await Assert.ThrowsAsync<GooglePlayException>(() => h.Client.ReplyAsync(key, Package, "gp:r",
            new string('x', GooglePlayOptions.MaxReplyLength + 1), CancellationToken.None));
        Assert.Equal((GooglePlayFailure.Rejected, HttpStatusCode.BadRequest), (tooLong.Failure, tooLong.Status));
        Assert.False(tooLong.IsTransient);

        await h.Client.ReplyAsync(key, Package, "gp:r", new string('y', GooglePlayOptions.MaxReplyLength),
            CancellationToken.None);
        await h.Client.ReplyAsync(key, Package, "gp:r", "Second thoughts", CancellationToken.None);
        Assert.Equal("Second thoughts", h.Play.Review(Package, "gp:r")!.Reply!.Text);
    }

    public static TheoryData<string, string> Denials => new()
    {
        { "not invited", nameof(GooglePlayFailure.PermissionDenied) },
        { "legacy 401", nameof(GooglePlayFailure.PermissionDenied) },
        { "unknown package", nameof(GooglePlayFailure.AppNotFound) },
        { "key deleted", nameof(GooglePlayFailure.NotAuthorized) },
    };

    [Theory]
    [MemberData(nameof(Denials))]
    public async Task Before_a_grant_reaches_the_API_and_after_it_is_revoked_Play_answers_what_to_tell_the_customer(
        string situation, string failure)
    {
        var expected = Enum.Parse<GooglePlayFailure>(failure);
        await using var h = await PlayHarness.StartAsync();
        var key = h.CreateServiceAccount(out var account);
        var package = situation == "unknown package" ? "com.example.nobody" : Package;
        h.Play.AddApp(Package);
        switch (situation)
        {
            case "legacy 401":
                h.Play.SetGrant(account.ClientEmail, Package, FakePlayGrant.DeniedLegacy);
                break;
            case "key deleted":
                h.Play.DeleteKey(account.ClientEmail);
                break;
        }

        var ex = await Assert.ThrowsAsync<GooglePlayException>(() =>
            h.Client.ListReviewsAsync(key, package, null, null, CancellationToken.None));

        Assert.Equal(expected, ex.Failure);
        Assert.False(ex.IsTransient);
        if (situation == "not invited")
        {
            h.Play.SetGrant(account.ClientEmail, Package, FakePlayGrant.Granted); // the grant propagated
            await h.Client.ListReviewsAsync(key, Package, null, null, CancellationToken.None);
            h.Play.SetGrant(account.ClientEmail, Package, FakePlayGrant.Denied); // the customer revoked it
            var revoked = await Assert.ThrowsAsync<GooglePlayException>(() =>
                h.Client.ListReviewsAsync(key, Package, null, null, CancellationToken.None));
            Assert.Equal(GooglePlayFailure.PermissionDenied, revoked.Failure);
        }
    }

    [Fact]
    public async Task Another_tenants_service_account_cannot_read_a_package_granted_to_this_one()
    {
        await using var h = await PlayHarness.StartAsync();
        var key = Granted(h);
        var otherTenant = h.CreateServiceAccount(out _);
        h.Play.SetReviews(Package, FakeGooglePlay.GenerateReviews(3, h.Clock.GetUtcNow()));

        Assert.Equal(3, (await ListAllAsync(h, key)).Count);
        var ex = await Assert.ThrowsAsync<GooglePlayException>(() =>
            h.Client.ListReviewsAsync(otherTenant, Package, null, null, CancellationToken.None));
        Assert.Equal(GooglePlayFailure.PermissionDenied, ex.Failure);
    }

    [Fact]
    public async Task The_hourly_read_quota_ends_in_a_rate_limit_and_frees_up_an_hour_later()
    {
        await using var h = await PlayHarness.StartAsync();
        var key = Granted(h);
        h.Play.HourlyReadQuota = 5;
        for (var i = 0; i < 5; i++)
        {
            await h.Client.ListReviewsAsync(key, Package, null, null, CancellationToken.None);
        }

        var ex = await Assert.ThrowsAsync<GooglePlayException>(() =>
            h.Client.ListReviewsAsync(key, Package, null, null, CancellationToken.None));
        Assert.Equal((GooglePlayFailure.RateLimited, HttpStatusCode.TooManyRequests), (ex.Failure, ex.Status));
        Assert.True(ex.IsTransient);

        h.Clock.Offset += TimeSpan.FromMinutes(61);
        await h.Client.ListReviewsAsync(key, Package, null, null, CancellationToken.None);
    }

    [Fact]
    public async Task A_long_Retry_After_is_not_waited_for_in_process_but_handed_to_the_caller_to_defer()
    {
        await using var h = await PlayHarness.StartAsync();
        var key = Granted(h);
        h.Play.Fail(FakeGooglePlay.QuotaExceeded(TimeSpan.FromMinutes(20)), match: IsReviews);

        var ex = await Assert.ThrowsAsync<GooglePlayException>(() =>
            h.Client.ListReviewsAsync(key, Package, null, null, CancellationToken.None));

        Assert.Equal((GooglePlayFailure.RateLimited, TimeSpan.FromMinutes(20)), (ex.Failure, ex.RetryAfter));
        Assert.Equal(1, h.Play.Requests.Count(r => r.Path.EndsWith("/reviews", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_short_Retry_After_and_passing_5xx_are_retried_with_backoff()
    {
        await using var h = await PlayHarness.StartAsync();
        var key = Granted(h);
        h.Play.Fail(FakeGooglePlay.QuotaExceeded(TimeSpan.FromSeconds(1)), match: IsReviews);
        h.Play.Fail(new InjectedFault(503, FakeGooglePlay.BackendErrorBody), match: IsReviews);

        await h.Client.ListReviewsAsync(key, Package, null, null, CancellationToken.None);

        Assert.Equal(3, h.Play.Requests.Count(r => r.Path.EndsWith("/reviews", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Play_and_its_token_endpoint_that_hang_or_keep_failing_end_in_a_transient_failure()
    {
        await using var h = await PlayHarness.StartAsync(new Dictionary<string, string?>
        {
            ["GooglePlay:Timeout"] = "00:00:01",
            ["OutboundHttp:MaxRetryAttempts"] = "1",
        });
        var key = Granted(h);
        h.Play.Fail(InjectedFault.Timeout(TimeSpan.FromSeconds(30)), times: 2, match: IsReviews);
        var hung = await Assert.ThrowsAsync<GooglePlayException>(() =>
            h.Client.ListReviewsAsync(key, Package, null, null, CancellationToken.None));
        Assert.Equal(GooglePlayFailure.Unavailable, hung.Failure);

        var other = h.CreateServiceAccount(out _); // a new credential must ask the token endpoint
        h.Play.Fail(new InjectedFault(503, """{"error":"internal_failure","error_description":"Backend Error"}"""),
            times: 2, match: r => r.Path == "/token");
        var token = await Assert.ThrowsAsync<GooglePlayException>(() =>
            h.Client.ListReviewsAsync(other, Package, null, null, CancellationToken.None));
        Assert.Equal(GooglePlayFailure.Unavailable, token.Failure);
        Assert.True(token.IsTransient);
    }

    [Fact]
    public async Task A_body_that_breaks_the_schema_is_a_malformed_response_not_a_crash()
    {
        await using var h = await PlayHarness.StartAsync();
        var key = Granted(h);
        h.Play.Fail(new InjectedFault(200, """{"reviews":[{"reviewId":"gp:x","comments":[]}]}"""), match: IsReviews);

        var ex = await Assert.ThrowsAsync<GooglePlayException>(() =>
            h.Client.ListReviewsAsync(key, Package, null, null, CancellationToken.None));
        Assert.Equal(GooglePlayFailure.MalformedResponse, ex.Failure);
    }

    private static bool IsReviews(Microsoft.AspNetCore.Http.HttpRequest request) =>
        request.Path.Value?.EndsWith("/reviews", StringComparison.Ordinal) == true;
}
