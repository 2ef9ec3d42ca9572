using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using Google.Apis.Http;
using Google.Apis.Util;
using Microsoft.Extensions.Options;
using ReviewHub.Http;

namespace ReviewHub.GooglePlay;

/// <summary>
/// OAuth access tokens for service accounts, through Google.Apis.Auth's JWT-bearer flow (RS256 assertion posted to
/// <see cref="GooglePlayOptions.TokenUrl"/>). One <see cref="ServiceAccountCredential"/> per key, kept for the life of
/// the process: the library caches its token and renews it shortly before expiry, on the injected
/// <see cref="TimeProvider"/>, so a worker serving an account for days asks Google about once an hour. Its HTTP calls
/// go through the named client <see cref="HttpClientName"/> (timeouts and retries of <c>OutboundResilience</c>); the
/// library's own retry is turned off so attempts are not multiplied.
/// </summary>
internal sealed class GooglePlayAccessTokens(
    IOptions<GooglePlayOptions> options, TimeProvider clock, IHttpMessageHandlerFactory handlers)
{
    public const string HttpClientName = "GooglePlayOAuth";

    private readonly ConcurrentDictionary<string, ServiceAccountCredential> credentials = new(StringComparer.Ordinal);

    /// <summary>Credentials held (for tests: keys no longer used are dropped by <see cref="Forget"/>).</summary>
    internal int CachedCredentials => credentials.Count;

    /// <summary>A valid access token for the key; <see cref="GooglePlayException"/> when Google refuses it.</summary>
    public async Task<string> GetAsync(GooglePlayServiceAccountKey key, CancellationToken cancellationToken)
    {
        var credential = credentials.GetOrAdd(CacheKey(key), _ => Create(key));
        try
        {
            return await credential.GetAccessTokenForRequestAsync(cancellationToken: cancellationToken);
        }
        catch (TokenResponseException ex)
        {
            throw Refused(ex);
        }
        catch (Exception ex) when (OutboundResilience.IsNoAnswer(ex, cancellationToken))
        {
            throw new GooglePlayException(GooglePlayFailure.Unavailable, null, null,
                $"Google's token endpoint did not answer: {ex.Message}", inner: ex, fromTokenEndpoint: true);
        }
    }

    /// <summary>
    /// Drops the key's credential and token: after Play refused the token as invalid (revoked, or the key replaced),
    /// the next call signs a new assertion instead of reusing it.
    /// </summary>
    public void Forget(GooglePlayServiceAccountKey key) => credentials.TryRemove(CacheKey(key), out _);

    private ServiceAccountCredential Create(GooglePlayServiceAccountKey key) => new(
        new ServiceAccountCredential.Initializer(key.ClientEmail, options.Value.TokenUrl)
        {
            Scopes = [GooglePlayOptions.Scope],
            KeyId = key.PrivateKeyId,
            Clock = new Clock(clock),
            HttpClientFactory = new HandlerFactory(handlers),
            DefaultExponentialBackOffPolicy = ExponentialBackOffPolicy.None,
        }.FromPrivateKey(key.PrivateKeyPem));

    /// <summary>The key's identity with a hash of its private key, so a replaced key gets a new credential.</summary>
    private static string CacheKey(GooglePlayServiceAccountKey key) => $"{key.ClientEmail}|{key.PrivateKeyId}|"
        + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key.PrivateKeyPem)));

    private static GooglePlayException Refused(TokenResponseException ex)
    {
        var status = ex.StatusCode;
        var failure = status switch
        {
            HttpStatusCode.TooManyRequests => GooglePlayFailure.RateLimited,
            >= HttpStatusCode.InternalServerError => GooglePlayFailure.Unavailable,
            _ => GooglePlayFailure.NotAuthorized,
        };
        return new GooglePlayException(failure, status, ex.Error?.Error,
            $"Google's token endpoint refused the service account's assertion: {ex.Error?.Error} " +
            $"{ex.Error?.ErrorDescription}".TrimEnd(), inner: ex, fromTokenEndpoint: true);
    }

    /// <summary>Google's clock interface over the app's <see cref="TimeProvider"/>.</summary>
    private sealed class Clock(TimeProvider time) : IClock
    {
        public DateTime Now => time.GetLocalNow().DateTime;

        public DateTime UtcNow => time.GetUtcNow().UtcDateTime;
    }

    /// <summary>Gives the library's HTTP client the handler pipeline of <see cref="HttpClientName"/>.</summary>
    private sealed class HandlerFactory(IHttpMessageHandlerFactory handlers) : HttpClientFactory
    {
        protected override HttpMessageHandler CreateHandler(CreateHttpClientArgs args) =>
            handlers.CreateHandler(HttpClientName);
    }
}
