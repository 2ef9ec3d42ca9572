using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.Http;

namespace ReviewHub.GooglePlay;

/// <summary>
/// Thin typed client for the three review methods of the Android Publisher API v3 (the generated client library is not
/// available here): <c>reviews.list</c>, <c>reviews.get</c> and <c>reviews.reply</c>. Each call carries the service
/// account's access token; Google's error envelope becomes <see cref="GooglePlayException"/> with any Retry-After, so a
/// caller can defer its work through its queue. Timeouts and retries come from the HttpClient's resilience pipeline
/// (<c>OutboundResilience</c>); a reply is safe to repeat, as it sets the review's one reply.
/// </summary>
internal sealed class GooglePlayClient(
    HttpClient http, GooglePlayAccessTokens tokens, IOptions<GooglePlayOptions> options,
    IEnumerable<IPlayRefusalObserver> refusalObservers, ILogger<GooglePlayClient> logger)
{
    /// <summary>The largest page <c>reviews.list</c> serves (Google's guide).</summary>
    public const int MaxPageSize = 100;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<PlayReviewsPage> ListReviewsAsync(
        GooglePlayServiceAccountKey key, string packageName, string? pageToken, string? translationLanguage,
        CancellationToken cancellationToken)
    {
        var query = $"?maxResults={MaxPageSize}"
            + (string.IsNullOrEmpty(pageToken) ? "" : $"&token={Uri.EscapeDataString(pageToken)}")
            + Translation(translationLanguage, '&');
        var list = await SendAsync<PlayWire.ReviewsListResponse>(key, packageName, HttpMethod.Get,
            ReviewsPath(packageName) + query, null, cancellationToken);
        var reviews = (list.Reviews ?? []).Select(r => PlayWire.Normalise(r) ?? throw Malformed("reviews.list",
            $"review '{r.ReviewId}' lacks its id, a user comment with a rating (1-5) or its lastModified")).ToList();
        return new PlayReviewsPage(reviews,
            string.IsNullOrEmpty(list.TokenPagination?.NextPageToken) ? null : list.TokenPagination.NextPageToken);
    }

    public async Task<PlayReview> GetReviewAsync(
        GooglePlayServiceAccountKey key, string packageName, string reviewId, string? translationLanguage,
        CancellationToken cancellationToken)
    {
        var review = await SendAsync<PlayWire.Review>(key, packageName, HttpMethod.Get,
            ReviewPath(packageName, reviewId) + Translation(translationLanguage, '?'), null, cancellationToken);
        return PlayWire.Normalise(review)
            ?? throw Malformed("reviews.get", "the review lacks its id, a rated user comment or its lastModified");
    }

    /// <summary>Sets the review's reply (Play keeps one; this replaces it) and returns the text Play applied.</summary>
    public async Task<PlayReplyResult> ReplyAsync(
        GooglePlayServiceAccountKey key, string packageName, string reviewId, string replyText,
        CancellationToken cancellationToken)
    {
        var response = await SendAsync<PlayWire.ReviewsReplyResponse>(key, packageName, HttpMethod.Post,
            ReviewPath(packageName, reviewId) + ":reply", new PlayWire.ReviewsReplyRequest(replyText),
            cancellationToken);
        return response.Result is { ReplyText: { } applied } result && result.LastEdited?.ToDateTimeOffset() is { } at
            ? new PlayReplyResult(applied, at)
            : throw Malformed("reviews.reply", "the result lacks replyText or lastEdited");
    }

    private static string ReviewsPath(string packageName) =>
        $"androidpublisher/v3/applications/{Uri.EscapeDataString(packageName)}/reviews";

    private static string ReviewPath(string packageName, string reviewId) =>
        $"{ReviewsPath(packageName)}/{Uri.EscapeDataString(reviewId)}";

    private static string Translation(string? language, char separator) => string.IsNullOrEmpty(language)
        ? string.Empty
        : $"{separator}translationLanguage={Uri.EscapeDataString(language)}";

    private async Task<T> SendAsync<T>(
        GooglePlayServiceAccountKey key, string packageName, HttpMethod method, string path, object? body,
        CancellationToken cancellationToken)
    {
        try
        {
            return await SendOnceRenewingAsync<T>(key, method, path, body, cancellationToken);
        }
        catch (GooglePlayException ex) when (key.AccountId is { } accountId && IsRefusal(ex))
        {
            foreach (var observer in refusalObservers)
            {
                await observer.OnRefusedAsync(accountId, packageName, ex, cancellationToken);
            }
            throw;
        }
    }

    /// <summary>Refusals of the service account itself (not of one review, not passing).</summary>
    private static bool IsRefusal(GooglePlayException ex) => ex.Failure is GooglePlayFailure.PermissionDenied
        or GooglePlayFailure.AppNotFound or GooglePlayFailure.NotAuthorized or GooglePlayFailure.ApiNotEnabled;

    private async Task<T> SendOnceRenewingAsync<T>(
        GooglePlayServiceAccountKey key, HttpMethod method, string path, object? body,
        CancellationToken cancellationToken)
    {
        try
        {
            return await AttemptAsync<T>(key, method, path, body, cancellationToken);
        }
#pragma warning disable CA1508 // The analyser's flow analysis misreads the property pattern as always true.
        catch (GooglePlayException ex)
            when (ex is { Failure: GooglePlayFailure.NotAuthorized, FromTokenEndpoint: false })
#pragma warning restore CA1508
        {
            // Play refused the access token itself (revoked, or issued for a key replaced since): sign a new assertion
            // once. A key Google refuses then fails at the token endpoint, which is not retried.
            tokens.Forget(key);
            return await AttemptAsync<T>(key, method, path, body, cancellationToken);
        }
    }

    private async Task<T> AttemptAsync<T>(
        GooglePlayServiceAccountKey key, HttpMethod method, string path, object? body,
        CancellationToken cancellationToken)
    {
        var operation = $"{method} {path.Split('?')[0]}";
        using var request = new HttpRequestMessage(method, new Uri(new Uri(options.Value.BaseUrl), path));
        var accessToken = await tokens.GetAsync(key, cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (Exception ex) when (OutboundResilience.IsNoAnswer(ex, cancellationToken))
        {
            throw new GooglePlayException(GooglePlayFailure.Unavailable, null, null,
                $"Google Play did not answer {operation}: {ex.Message}", inner: ex);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw await ToExceptionAsync(operation, response, cancellationToken);
            }
            try
            {
                return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
                    ?? throw Malformed(operation, "the body is empty");
            }
            catch (JsonException ex)
            {
                throw Malformed(operation, ex.Message);
            }
        }
    }

    private async Task<GooglePlayException> ToExceptionAsync(
        string operation, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        PlayWire.ErrorBody? error = null;
        try
        {
            error = (await response.Content.ReadFromJsonAsync<PlayWire.ErrorEnvelope>(Json, cancellationToken))?.Error;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            // Proxies and load balancers answer HTML or plain text.
        }
        var reason = error?.Errors?.FirstOrDefault()?.Reason;
        var failure = GooglePlayException.Classify(response.StatusCode, reason, error?.Message);
        logger.LogWarning("Google Play {Operation} failed with {Status} {Reason}: {Failure}",
            operation, (int)response.StatusCode, reason, failure);
        return new GooglePlayException(failure, response.StatusCode, reason,
            $"Google Play answered {(int)response.StatusCode} to {operation}: " +
            $"{error?.Status ?? response.ReasonPhrase} {error?.Message}".TrimEnd(),
            retryAfter: RetryAfter.Of(response.Headers));
    }

    private static GooglePlayException Malformed(string operation, string what) =>
        new(GooglePlayFailure.MalformedResponse, HttpStatusCode.OK, null,
            $"Google Play answered {operation} with a document that does not follow the discovery schema: {what}.");
}
