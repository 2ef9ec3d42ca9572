using ReviewHub.Fakes;
using ReviewHub.GooglePlay;

namespace ReviewHub.Tests.GooglePlay;

/// <summary>
/// One worker process serving a tenant's Play app for days: Google (the fake, on the same clock) rejects every expired
/// or unknown access token, so each call after a renewal proves the renewal happened before the token ran out.
/// </summary>
public sealed class GooglePlayTokenRenewalTests
{
    private const string Package = "com.example.renewals";

    private static int ApiRequests(FakeGooglePlay play) =>
        play.Requests.Count(r => r.Path.StartsWith("/androidpublisher/", StringComparison.Ordinal));

    [Fact]
    public async Task Across_two_days_of_calls_every_token_is_renewed_before_it_expires_and_reused_until_then()
    {
        await using var h = await PlayHarness.StartAsync();
        var key = h.CreateServiceAccount(out var account);
        h.Play.AddApp(Package);
        h.Play.SetGrant(account.ClientEmail, Package, FakePlayGrant.Granted);

        const int Calls = 96;
        for (var call = 0; call < Calls; call++)
        {
            await h.Client.ListReviewsAsync(key, Package, null, null, CancellationToken.None);
            h.Clock.Offset += TimeSpan.FromMinutes(31); // two calls per token lifetime (3599 s)
        }

        // Not one call was refused for an expired token (a refused one would be repeated: more API requests).
        Assert.Equal(Calls, ApiRequests(h.Play));
        Assert.Equal(Calls / 2, h.Play.TokenRequests);
        Assert.Equal(1, h.Tokens.CachedCredentials);
    }

    [Fact]
    public async Task Calls_within_an_hour_share_one_token()
    {
        await using var h = await PlayHarness.StartAsync();
        var key = h.CreateServiceAccount(out var account);
        h.Play.AddApp(Package);
        h.Play.SetGrant(account.ClientEmail, Package, FakePlayGrant.Granted);

        for (var call = 0; call < 20; call++)
        {
            await h.Client.ListReviewsAsync(key, Package, null, null, CancellationToken.None);
            h.Clock.Offset += TimeSpan.FromMinutes(2);
        }

        Assert.Equal(1, h.Play.TokenRequests);
    }

    [Fact]
    public async Task A_token_Google_revoked_early_is_replaced_once_and_the_call_goes_through()
    {
        await using var h = await PlayHarness.StartAsync();
        var key = h.CreateServiceAccount(out var account);
        h.Play.AddApp(Package);
        h.Play.SetGrant(account.ClientEmail, Package, FakePlayGrant.Granted);
        await h.Client.ListReviewsAsync(key, Package, null, null, CancellationToken.None);

        h.Play.RevokeAccessTokens();
        await h.Client.ListReviewsAsync(key, Package, null, null, CancellationToken.None);

        Assert.Equal((2, 3), (h.Play.TokenRequests, ApiRequests(h.Play)));
    }

    [Fact]
    public async Task A_key_Google_no_longer_accepts_fails_without_looping_on_the_token_endpoint()
    {
        await using var h = await PlayHarness.StartAsync();
        var key = h.CreateServiceAccount(out var account);
        h.Play.AddApp(Package);
        h.Play.SetGrant(account.ClientEmail, Package, FakePlayGrant.Granted);
        h.Play.DeleteKey(account.ClientEmail);

        var ex = await Assert.ThrowsAsync<GooglePlayException>(() =>
            h.Client.ListReviewsAsync(key, Package, null, null, CancellationToken.None));

        Assert.Equal((GooglePlayFailure.NotAuthorized, true), (ex.Failure, ex.FromTokenEndpoint));
        Assert.Contains("Invalid JWT Signature.", ex.Message);
        Assert.Equal(1, h.Play.Requests.Count(r => r.Path == "/token"));
        Assert.Equal(0, ApiRequests(h.Play));
    }
}
