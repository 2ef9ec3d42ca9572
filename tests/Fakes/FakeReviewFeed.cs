using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ReviewHub.Fakes;

/// <summary>A review in the public feed of one storefront.</summary>
public sealed record FakeFeedReview(string Id, int Rating, string Title, string Content, string Author,
    DateTimeOffset Updated, string Version = "1.0");

/// <summary>
/// Plays Apple's public customer-reviews feed:
/// <c>/{storefront}/rss/customerreviews/page={n}/id={appId}/sortby=mostrecent/json</c>, 50 reviews per page, 10 pages
/// at most (later pages answer 400 like the real feed), newest first. <c>feed.entry</c> is an array, a single object
/// for one review, and absent for none; <see cref="IncludeAppEntry"/> adds the app-metadata entry older responses
/// start with. A storefront nobody configured answers 404 (the app is not sold there).
/// </summary>
public sealed class FakeReviewFeed : FakeHttpServer
{
    public const int PageSize = 50;
    public const int MaxPages = 10;

    private readonly ConcurrentDictionary<(string Storefront, string AppId), List<FakeFeedReview>> feeds = new();

    /// <summary>Puts the app-metadata entry (no <c>im:rating</c>) first in every non-empty page.</summary>
    public bool IncludeAppEntry { get; set; }

    /// <summary>
    /// How long after its <c>updated</c> date a review shows in the feed (Apple publishes the feed through caches and
    /// does not document the delay); measured on <see cref="FakeHttpServer.Clock"/>. Zero: at once.
    /// </summary>
    public TimeSpan PublicationLag { get; set; }

    /// <summary>
    /// Answers every page after this one with the first page again (the feed ignoring the page number); 0: off.
    /// </summary>
    public int RepeatFirstPageAfter { get; set; }

    /// <summary>
    /// Makes the app sold in <paramref name="storefront"/> (lowercase alpha-2), with these reviews (possibly none). A
    /// review whose id is already there replaces it: a customer's edit keeps the id, changes the text and moves
    /// <c>updated</c>.
    /// </summary>
    public void SetReviews(string storefront, string appId, IEnumerable<FakeFeedReview> add)
    {
        var list = feeds.GetOrAdd((storefront, appId), _ => []);
        lock (list)
        {
            foreach (var review in add)
            {
                list.RemoveAll(r => r.Id == review.Id);
                list.Add(review);
            }
        }
    }

    /// <summary>
    /// The same review as the public feed serves it: Apple's numeric feed id (the feed and the API share no id), the
    /// nickname as the author, the API's createdDate as <c>updated</c> (the feed's only date; it moves when the
    /// customer edits the review).
    /// </summary>
    public static FakeFeedReview CopyOf(FakeCustomerReview review, long feedId) => new(
        feedId.ToString(CultureInfo.InvariantCulture), review.Rating, review.Title, review.Body,
        review.ReviewerNickname, review.CreatedDate);

    public static IReadOnlyList<FakeFeedReview> Generate(int count, DateTimeOffset newest, long firstId = 1_000_000) =>
        Enumerable.Range(0, count).Select(i => new FakeFeedReview(
            (firstId + i).ToString(CultureInfo.InvariantCulture), 1 + i % 5, $"Title {i}", $"Content {i}", $"author{i}",
                newest.AddMinutes(-i))).ToList();

    protected override void MapEndpoints(WebApplication app) => app.MapGet("/{storefront}/rss/customerreviews/{**rest}",
        async (HttpContext context, string storefront, string rest) =>
    {
        var segments = rest.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].ToLowerInvariant(), p =>
                p[1]);
        if (!segments.TryGetValue("id", out var appId) || !segments.TryGetValue("page", out var pageText)
            || !int.TryParse(pageText, out var page)
            || !rest.EndsWith("/json", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 400;
            return;
        }
        if (!feeds.TryGetValue((storefront, appId), out var list))
        {
            context.Response.StatusCode = 404;
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<html><body>Not Found</body></html>");
            return;
        }
        if (page is < 1 or > MaxPages)
        {
            context.Response.StatusCode = 400;
            return;
        }
        FakeFeedReview[] entries;
        lock (list)
        {
            var served = RepeatFirstPageAfter > 0 && page > RepeatFirstPageAfter ? 1 : page;
            var published = Clock.GetUtcNow() - PublicationLag;
            entries = [.. list.Where(r => PublicationLag <= TimeSpan.Zero || r.Updated <= published)
                .OrderByDescending(r => r.Updated).Skip((served - 1) * PageSize).Take(PageSize)];
        }
        var items = entries.Select(r => (object)Entry(r, storefront)).ToList();
        if (IncludeAppEntry && items.Count > 0)
        {
            items.Insert(0, AppEntry(appId));
        }
        object feed = items.Count switch
        {
            0 => new { author = FeedAuthor, id = new { label = context.Request.Path.Value } },
            1 => new { author = FeedAuthor, entry = items[0] },
            _ => new { author = FeedAuthor, entry = items },
        };
        context.Response.ContentType = "text/javascript; charset=utf-8";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new { feed }));
    });

    private static readonly object FeedAuthor = new { name = new { label = "iTunes Store" }, uri =
        new { label = "http://www.apple.com/itunes/" } };

    private static Dictionary<string, object> Entry(FakeFeedReview r, string storefront) => new()
    {
        ["author"] = new { name = new { label = r.Author }, uri =
            new { label = $"https://itunes.apple.com/{storefront}/reviews/id{r.Id}" }, label = "" },
        ["updated"] = new { label = r.Updated.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture) },
        ["im:rating"] = new { label = r.Rating.ToString(CultureInfo.InvariantCulture) },
        ["im:version"] = new { label = r.Version },
        ["id"] = new { label = r.Id },
        ["title"] = new { label = r.Title },
        ["content"] = new { label = r.Content, attributes = new { type = "text" } },
        ["link"] = new { attributes = new { rel = "related", href =
            $"https://itunes.apple.com/{storefront}/review?id={r.Id}&type=Purple%20Software" } },
        ["im:voteSum"] = new { label = "0" },
        ["im:voteCount"] = new { label = "0" },
        ["im:contentType"] = new { attributes = new { term = "Application", label = "Application" } },
    };

    private static Dictionary<string, object> AppEntry(string appId) => new()
    {
        ["im:name"] = new { label = "Acme Notes" },
        ["id"] = new { label = $"https://apps.apple.com/app/id{appId}", attributes = new { im_id = appId } },
        ["im:contentType"] = new { attributes = new { term = "Application", label = "Application" } },
    };
}
