using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ReviewHub.Fakes;

/// <summary>A developer reply on Play: one per review, overwritten by the next reply.</summary>
public sealed record FakePlayReply(string Text, DateTimeOffset LastModified);

/// <summary>
/// A Play review as the fake stores it. <see cref="Text"/> null is a star-only rating: it exists on Play but the API
/// never shows it. <see cref="LastModified"/> is the user comment's; an edit moves it.
/// </summary>
public sealed record FakePlayReview(
    string ReviewId, int StarRating, string? Text, DateTimeOffset LastModified, string? AuthorName = null,
    string? ReviewerLanguage = "en", FakePlayReply? Reply = null, string? AppVersionName = "3.2.0",
    int? AppVersionCode = 320);

public sealed partial class FakeGooglePlay
{
    /// <summary>Reviews whose user comment changed longer ago than this are invisible to reviews.list.</summary>
    public static readonly TimeSpan ListWindow = TimeSpan.FromDays(7);

    /// <summary>Replies longer than this (after tags are stripped) are rejected (discovery document).</summary>
    public const int MaxReplyLength = 350;

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, FakePlayReview>> apps =
        new(StringComparer.Ordinal);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>When set, every n-th page holds fewer reviews than asked (Play does; never infer the end).</summary>
    public int ShortPageEvery { get; set; }

    /// <summary>
    /// Replies to reviews outside the list window fail with 500 and a null message, as reported for old reviews
    /// (google-play-api.md §6).
    /// </summary>
    public bool FailRepliesOutsideWindow { get; set; } = true;

    public void AddApp(string packageName) => apps.TryAdd(packageName, new(StringComparer.Ordinal));

    /// <summary>Adds or replaces reviews of a package (the package is created when new).</summary>
    public void SetReviews(string packageName, IEnumerable<FakePlayReview> reviews)
    {
        var store = apps.GetOrAdd(packageName, _ => new(StringComparer.Ordinal));
        foreach (var review in reviews)
        {
            store[review.ReviewId] = review;
        }
    }

    /// <summary>
    /// <paramref name="count"/> text reviews, one minute apart from <paramref name="newest"/> back, ids shaped like
    /// Play's (<c>gp:AOqpTO…</c>).
    /// </summary>
    public static IReadOnlyList<FakePlayReview> GenerateReviews(
        int count, DateTimeOffset newest, string prefix = "r") =>
        Enumerable.Range(0, count).Select(i => new FakePlayReview(
            $"gp:AOqpTO{prefix}{i:D6}", 1 + i % 5,
            i % 4 == 0 ? $"Title {i}\tBody of review {i}" : $"Body of review {i}",
            newest.AddMinutes(-i), i % 3 == 0 ? null : $"User {i}", i % 2 == 0 ? "en" : "de")).ToList();

    /// <summary>The user edits a review: new text and rating, modified now (it re-enters the window).</summary>
    public FakePlayReview EditReview(string packageName, string reviewId, string text, int starRating) =>
        apps[packageName].AddOrUpdate(reviewId, _ => throw new KeyNotFoundException(reviewId),
            (_, review) => review with { Text = text, StarRating = starRating, LastModified = Clock.GetUtcNow() });

    public FakePlayReview? Review(string packageName, string reviewId) =>
        apps.TryGetValue(packageName, out var store) ? store.GetValueOrDefault(reviewId) : null;

    partial void MapReviews(WebApplication app)
    {
        const string Reviews = ApiPrefix + "{packageName}/reviews";
        app.MapGet(Reviews, ListAsync);
        app.MapGet(Reviews + "/{reviewId}", GetAsync);
        // A complex segment: routing matches the literal ":reply" from the right, so ids holding ':' still bind.
        app.MapPost(Reviews + "/{reviewId}:reply", ReplyAsync);
    }

    private async Task ListAsync(HttpContext context, string packageName)
    {
        var query = context.Request.Query;
        var maxResults = 10;
        if (query.ContainsKey("maxResults")
            && (!uint.TryParse(query["maxResults"], CultureInfo.InvariantCulture, out var asked) || asked == 0))
        {
            await WriteAsync(context, 400, InvalidArgument("maxResults", "Invalid value for maxResults."));
            return;
        }
        if (query.ContainsKey("maxResults"))
        {
            maxResults = (int)Math.Min(uint.Parse(query["maxResults"]!, CultureInfo.InvariantCulture), 100);
        }
        var start = 0;
        var token = query["token"].ToString();
        if (token.Length > 0 && !TryReadPageToken(token, out start))
        {
            await WriteAsync(context, 400, InvalidArgument("token", "Invalid pagination token."));
            return;
        }
        if (token.Length == 0 && query.ContainsKey("startIndex"))
        {
            start = int.TryParse(query["startIndex"], CultureInfo.InvariantCulture, out var index) ? index : 0;
        }
        var now = Clock.GetUtcNow();
        var visible = apps[packageName].Values
            .Where(r => r.Text is not null && r.LastModified > now - ListWindow)
            .OrderByDescending(r => r.LastModified).ThenBy(r => r.ReviewId, StringComparer.Ordinal)
            .ToList();
        var page = start / Math.Max(maxResults, 1) + 1;
        var take = ShortPageEvery > 0 && page % ShortPageEvery == 0 ? Math.Max(1, maxResults / 2) : maxResults;
        var items = visible.Skip(start).Take(take).ToList();
        var next = start + items.Count < visible.Count ? PageToken(start + items.Count) : null;
        var language = query["translationLanguage"].ToString();
        await WriteAsync(context, 200, JsonSerializer.Serialize(new
        {
            reviews = items.Count == 0 ? null : items.Select(r => ToJson(r, language)).ToList(),
            tokenPagination = next is null ? null : new { nextPageToken = next },
            pageInfo = new { totalResults = visible.Count, resultPerPage = items.Count, startIndex = start },
        }, Json));
    }

    private async Task GetAsync(HttpContext context, string packageName, string reviewId)
    {
        if (!apps[packageName].TryGetValue(reviewId, out var review) || review.Text is null)
        {
            await WriteAsync(context, 404, ReviewNotFound(reviewId));
            return;
        }
        await WriteAsync(context, 200, JsonSerializer.Serialize(
            ToJson(review, context.Request.Query["translationLanguage"].ToString()), Json));
    }

    private async Task ReplyAsync(HttpContext context, string packageName, string reviewId)
    {
        string? replyText;
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body);
            replyText = body.RootElement.TryGetProperty("replyText", out var text) ? text.GetString() : null;
        }
        catch (JsonException)
        {
            await WriteAsync(context, 400, InvalidArgument(null, "Invalid JSON payload received."));
            return;
        }
        var store = apps[packageName];
        if (!store.TryGetValue(reviewId, out var review) || review.Text is null)
        {
            await WriteAsync(context, 404, ReviewNotFound(reviewId));
            return;
        }
        var applied = Regex.Replace(replyText ?? string.Empty, "<[^>]*>", string.Empty).Trim();
        if (applied.Length == 0)
        {
            await WriteAsync(context, 400, InvalidArgument("replyText", "Reply text must not be empty."));
            return;
        }
        if (applied.EnumerateRunes().Count() > MaxReplyLength)
        {
            await WriteAsync(context, 400, InvalidArgument("replyText",
                $"Reply text is too long. The maximum length is {MaxReplyLength} characters."));
            return;
        }
        var now = Clock.GetUtcNow();
        if (FailRepliesOutsideWindow && review.LastModified <= now - ListWindow)
        {
            await WriteAsync(context, 500, """{"error":{"code":500,"message":null}}""");
            return;
        }
        store[reviewId] = review with { Reply = new FakePlayReply(applied, now) };
        await WriteAsync(context, 200, JsonSerializer.Serialize(
            new { result = new { replyText = applied, lastEdited = Timestamp(now) } }, Json));
    }

    private static object ToJson(FakePlayReview review, string translationLanguage)
    {
        var translate = translationLanguage.Length > 0 && review.ReviewerLanguage is { } language
            && !PrimaryLanguage(language).Equals(PrimaryLanguage(translationLanguage),
                StringComparison.OrdinalIgnoreCase);
        var comments = new List<object>
        {
            new
            {
                userComment = new
                {
                    text = translate ? $"[{translationLanguage}] {review.Text}" : review.Text,
                    originalText = translate ? review.Text : null,
                    lastModified = Timestamp(review.LastModified),
                    starRating = review.StarRating,
                    reviewerLanguage = review.ReviewerLanguage,
                    device = "a52q",
                    androidOsVersion = 34,
                    appVersionCode = review.AppVersionCode,
                    appVersionName = review.AppVersionName,
                    thumbsUpCount = 0,
                    thumbsDownCount = 0,
                    deviceMetadata = new
                    {
                        productName = "a52q (Galaxy A52)", manufacturer = "Samsung", deviceClass = "phone",
                        screenDensityDpi = 420, ramMb = 5632,
                    },
                },
            },
        };
        if (review.Reply is { } reply)
        {
            comments.Add(new
            {
                developerComment = new { text = reply.Text, lastModified = Timestamp(reply.LastModified) },
            });
        }
        return new { reviewId = review.ReviewId, authorName = review.AuthorName, comments };
    }

    private static string PrimaryLanguage(string tag) => tag.Split('-', '_')[0];

    /// <summary>Google's Timestamp: <c>seconds</c> is an int64 carried as a string.</summary>
    private static object Timestamp(DateTimeOffset at)
    {
        var ticks = at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return new
        {
            seconds = (ticks / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture),
            nanos = (int)(ticks % TimeSpan.TicksPerSecond * 100),
        };
    }

    private static string PageToken(int offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"CgkI{offset}")).TrimEnd('=');

    private static bool TryReadPageToken(string token, out int offset)
    {
        offset = 0;
        try
        {
            var padded = token.PadRight(token.Length + (4 - token.Length % 4) % 4, '=');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(padded));
            return text.StartsWith("CgkI", StringComparison.Ordinal)
                && int.TryParse(text[4..], CultureInfo.InvariantCulture, out offset) && offset >= 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string InvalidArgument(string? field, string message) => ErrorBody(400, "INVALID_ARGUMENT", message,
        "badRequest", location: field, locationType: field is null ? null : "parameter");

    /// <summary>The wording for an unknown review id is invented (no capture exists).</summary>
    private static string ReviewNotFound(string reviewId) =>
        ErrorBody(404, "NOT_FOUND", $"Review not found: {reviewId}.", "notFound");
}
