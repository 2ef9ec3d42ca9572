using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ReviewHub.Http;

namespace ReviewHub.Reviews;

/// <summary>One page of the public feed: its reviews (none when the storefront has none or does not sell the
/// app).</summary>
internal sealed record FeedReviewPage(IReadOnlyList<FetchedReview> Reviews);

/// <summary>
/// Apple's public customer-reviews feed (undocumented, best effort):
/// <c>{FeedBaseUrl}/{storefront}/rss/customerreviews/page={n}/id={storeAppId}/sortby=mostrecent/json</c>, 50 reviews a
/// page, 10 pages at most. <c>feed.entry</c> is an array, a single object or absent; entries without <c>im:rating</c>
/// (app metadata) are skipped. A 4xx other than 429 means the storefront has no reviews for the app.
/// </summary>
internal sealed class AppStoreFeedClient(HttpClient http, ILogger<AppStoreFeedClient> logger)
{
    public const int PageSize = 50;
    public const int MaxPages = 10;

    public static string PathFor(string storefront, string storeAppId, int page) =>
        $"{storefront}/rss/customerreviews/page={page}/id={Uri.EscapeDataString(storeAppId)}/sortby=mostrecent/json";

    public async Task<FeedReviewPage> GetPageAsync(string territory, string storefront, string storeAppId, int page,
        CancellationToken cancellationToken)
    {
        var path = PathFor(storefront, storeAppId, page);
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead,
                cancellationToken);
        }
        catch (Exception ex) when (OutboundResilience.IsNoAnswer(ex, cancellationToken))
        {
            throw new ReviewFetchException($"The review feed did not answer {path}: {ex.Message}", retryable: true,
                inner: ex);
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.TooManyRequests || status >= 500)
            {
                throw new ReviewFetchException($"The review feed answered {status} to {path}.", retryable: true,
                    RetryAfter.Of(response.Headers));
            }
            if (status >= 400)
            {
                logger.LogInformation("Review feed answered {Status} for storefront {Storefront}: no reviews there",
                    status, storefront);
                return new FeedReviewPage([]);
            }
            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
                return new FeedReviewPage(Parse(document.RootElement, territory));
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException
                or KeyNotFoundException)
            {
                throw new ReviewFetchException(
                    $"The review feed answered {path} with a body that is not the customer-reviews JSON: {ex.Message}",
                    retryable: true, inner: ex);
            }
        }
    }

    private static List<FetchedReview> Parse(JsonElement root, string territory)
    {
        var feed = root.GetProperty("feed");
        if (feed.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("'feed' is not an object");
        }
        if (!feed.TryGetProperty("entry", out var entry))
        {
            return [];
        }
        var entries = entry.ValueKind switch
        {
            JsonValueKind.Array => entry.EnumerateArray().ToList(),
            JsonValueKind.Object => [entry],
            _ => throw new FormatException("'feed.entry' is neither an array nor an object"),
        };
        return entries.Where(e => e.TryGetProperty("im:rating", out _)).Select(e =>
        {
            var rating = int.Parse(Label(e, "im:rating")!, CultureInfo.InvariantCulture);
            var id = Label(e, "id");
            var updated = Label(e, "updated");
            if (rating is < 1 or > 5 || string.IsNullOrEmpty(id) || updated is null)
            {
                throw new FormatException($"review entry '{id}' lacks a rating (1-5), id or updated date");
            }
            var nickname = e.TryGetProperty("author", out var author) ? Label(author, "name") : null;
            return new FetchedReview(id, rating, Label(e, "title"), Label(e, "content"), nickname, territory,
                DateTimeOffset.Parse(updated, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                    Response: null);
        }).ToList();
    }

    /// <summary>Every feed value is wrapped as <c>{"label": ...}</c>.</summary>
    private static string? Label(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Object
            && value.TryGetProperty("label", out var label)
            ? label.GetString()
            : null;
}
