using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ReviewHub.Fakes;

/// <summary>A customer review the fake serves, with its optional developer response.</summary>
public sealed record FakeCustomerReview(
    string Id, int Rating, string Title, string Body, string ReviewerNickname, DateTimeOffset CreatedDate,
        string Territory,
    FakeDeveloperResponse? Response = null);

public sealed record FakeDeveloperResponse(string Id, string ResponseBody, string State,
    DateTimeOffset LastModifiedDate);

/// <summary>
/// A broken <c>links.next</c>: the page at <see cref="FromPage"/> (0 = newest) links to page <see cref="ToPage"/>
/// instead of the next one, whether or not more pages follow (<c>ToPage == FromPage</c> repeats the page). With
/// <see cref="FreshCursor"/> every link carries a new cursor value although it serves the same page, so only the
/// content gives the loop away.
/// </summary>
public sealed record FakeCursorLoop(int FromPage, int ToPage, bool FreshCursor = false);

/// <summary>
/// <c>GET /v1/apps/{id}/customerReviews</c> as Apple serves it: JSON:API <c>CustomerReviewsResponse</c>, sort by
/// createdDate (either direction), <c>limit</c> 1–200, <c>include=response</c>, opaque <c>cursor</c> paging through
/// absolute <c>links.next</c> URLs, 404 for an unknown app, 400 PARAMETER_ERROR for a bad parameter.
/// </summary>
public sealed partial class FakeAppStoreConnect
{
    private readonly ConcurrentDictionary<string, List<FakeCustomerReview>> reviews = new();
    private int cursorNonce;

    /// <summary>
    /// When set, customer-review pages link in a loop (a fault seen in paged APIs); null pages normally.
    /// </summary>
    public FakeCursorLoop? CursorLoop { get; set; }

    /// <summary>
    /// Adds reviews to an app (its App Store id); an existing id is replaced (e.g. a changed response, or a customer's
    /// edit, which keeps id and createdDate: the API exposes no modification date). Like Apple's, the reviews the fake
    /// serves can be answered through customerReviewResponses.
    /// </summary>
    public void SetReviews(string storeAppId, IEnumerable<FakeCustomerReview> add)
    {
        var list = reviews.GetOrAdd(storeAppId, _ => []);
        lock (list)
        {
            foreach (var review in add)
            {
                list.RemoveAll(r => r.Id == review.Id);
                list.Add(review);
                SeedReviewForResponses(review.Id);
            }
        }
    }

    /// <summary>Generates <paramref name="count"/> reviews, one minute apart, the newest at <paramref
    /// name="newest"/>.</summary>
    public static IReadOnlyList<FakeCustomerReview> GenerateReviews(int count, DateTimeOffset newest, string prefix =
        "r", string territory = "USA") =>
        Enumerable.Range(0, count).Select(i => new FakeCustomerReview(
            $"{prefix}-{i:D8}", 1 + i % 5, $"Title {i}", $"Body of review {i}",
            $"user{i}", newest.AddMinutes(-i), territory)).ToList();

    partial void MapReviews(WebApplication app) => app.MapGet("/v1/apps/{id}/customerReviews",
        async (HttpContext context, string id) =>
    {
        var query = context.Request.Query;
        var sort = query["sort"].ToString();
        if (sort is not ("-createdDate" or "createdDate" or ""))
        {
            await WriteAsync(context, 400, ParameterError("sort", $"'{sort}' is not a valid value for sort."));
            return;
        }
        if (!HasAppAccess(id))
        {
            await WriteAsync(context, 403, ErrorBody(403, "FORBIDDEN_ERROR",
                "This request is forbidden for security reasons.", "The API key in use does not allow this request"));
            return;
        }
        var limit = 50;
        if (query.ContainsKey("limit") && (!int.TryParse(query["limit"], out limit) || limit is < 1 or > 200))
        {
            await WriteAsync(context, 400, ParameterError("limit", "The limit must be between 1 and 200."));
            return;
        }
        // An app of the team's catalogue (AddApp) without reviews answers an empty page, as Apple does.
        if (!reviews.TryGetValue(id, out var list) && teamApps.ContainsKey(id))
        {
            list = [];
        }
        if (list is null)
        {
            await WriteAsync(context, 404, ErrorBody(404, "NOT_FOUND", "The specified resource does not exist.",
                $"There is no resource of type 'apps' with id '{id}'"));
            return;
        }
        var offset = 0;
        if (query.ContainsKey("cursor") && !TryDecodeCursor(query["cursor"].ToString(), out offset))
        {
            await WriteAsync(context, 400, ParameterError("cursor", "The cursor is invalid or expired."));
            return;
        }
        FakeCustomerReview[] snapshot;
        lock (list)
        {
            snapshot = [.. sort == "createdDate" ? list.OrderBy(r => r.CreatedDate) : list.OrderByDescending(r =>
                r.CreatedDate)];
        }
        var page = snapshot.Skip(offset).Take(limit).Select(WithCurrentResponse).ToList();
        var include = query["include"].ToString().Split(',').Contains("response");
        var root = $"{context.Request.Scheme}://{context.Request.Host}";
        var self = $"{root}{context.Request.Path}{context.Request.QueryString}";
        string? next = null;
        var loop = CursorLoop;
        int? nextOffset = loop is not null && offset / limit == loop.FromPage ? loop.ToPage * limit
            : offset + limit < snapshot.Length ? offset + limit
            : null;
        if (nextOffset is { } nextAt)
        {
            var rest = string.Join('&', query.Where(q => q.Key != "cursor").Select(q =>
                $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}"));
            var nonce = loop is { FreshCursor: true } ? Interlocked.Increment(ref cursorNonce) : (int?)null;
            next = $"{root}{context.Request.Path}?cursor={EncodeCursor(nextAt, nonce)}&{rest}";
        }
        await WriteAsync(context, 200, JsonSerializer.Serialize(Document(root, page, include, self, next,
            snapshot.Length, limit), DocumentJson));
    });

    /// <summary>
    /// A response written through customerReviewResponses is the review's response from then on, as in App Store
    /// Connect.
    /// </summary>
    private FakeCustomerReview WithCurrentResponse(FakeCustomerReview review) =>
        ResponseForReview(review.Id) is { } written
            ? review with
            {
                Response = new FakeDeveloperResponse(
                    written.Id, written.ResponseBody, written.State, written.LastModifiedDate),
            }
            : review;

    private static readonly JsonSerializerOptions DocumentJson = new() { DefaultIgnoreCondition =
        System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private static object Document(string root, List<FakeCustomerReview> page, bool include, string self, string? next,
        int total, int limit) => new
    {
        data = page.Select(r => new
        {
            type = "customerReviews",
            id = r.Id,
            attributes = new
            {
                rating = r.Rating,
                title = r.Title,
                body = r.Body,
                reviewerNickname = r.ReviewerNickname,
                createdDate = r.CreatedDate.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture),
                territory = r.Territory,
            },
            relationships = new
            {
                response = new
                {
                    links = new
                    {
                        self = $"{root}/v1/customerReviews/{r.Id}/relationships/response",
                        related = $"{root}/v1/customerReviews/{r.Id}/response",
                    },
                    data = include && r.Response is not null ? new { type = "customerReviewResponses", id =
                        r.Response.Id } : null,
                },
            },
            links = new { self = $"{root}/v1/customerReviews/{r.Id}" },
        }),
        included = include
            ? page.Where(r => r.Response is not null).Select(r => new
            {
                type = "customerReviewResponses",
                id = r.Response!.Id,
                attributes = new
                {
                    responseBody = r.Response.ResponseBody,
                    lastModifiedDate = r.Response.LastModifiedDate.ToString("yyyy-MM-dd'T'HH:mm:ssK",
                        CultureInfo.InvariantCulture),
                    state = r.Response.State,
                },
                relationships = new { review = new { data = new { type = "customerReviews", id = r.Id } } },
                links = new { self = $"{root}/v1/customerReviewResponses/{r.Response.Id}" },
            }).ToList()
            : null,
        links = new { self, next },
        meta = new { paging = new { total, limit } },
    };

    private static string ParameterError(string parameter, string detail) => JsonSerializer.Serialize(new
    {
        errors = new[]
        {
            new { id = Guid.NewGuid().ToString(), status = "400", code = "PARAMETER_ERROR.INVALID", title =
                "A parameter has an invalid value",
                detail, source = new { parameter } },
        },
    });

    private static string EncodeCursor(int offset, int? nonce = null) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(nonce is null ? $"AQ.{offset}" : $"AQ.{offset}.{nonce}"))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryDecodeCursor(string cursor, out int offset)
    {
        offset = 0;
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(padded.PadRight(padded.Length
                + (4 - padded.Length % 4) % 4, '=')));
            return text.StartsWith("AQ.", StringComparison.Ordinal) && int.TryParse(text[3..].Split('.')[0], out offset)
                && offset >= 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
