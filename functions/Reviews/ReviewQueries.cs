using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using ReviewHub.Http;
using ReviewHub.Storage;

namespace ReviewHub.Reviews;

/// <summary>The Reviews page's filters, read from the query string: rating=1,2 territory=USA,GBR replied=true|false
/// from= to= limit= continuationToken=.</summary>
internal sealed record ReviewListFilter(
    IReadOnlySet<int> Ratings, IReadOnlySet<string> Territories, bool? Replied, DateTimeOffset? From,
    DateTimeOffset? To, int Limit, string? After)
{
    public const int MaxLimit = 100;

    public static ReviewListFilter? Parse(IQueryCollection query, int defaultLimit, ValidationErrors errors)
    {
        var ratings = new HashSet<int>();
        foreach (var value in List(query, "rating"))
        {
            if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var rating)
                && rating is >= 1 and <= 5)
            {
                ratings.Add(rating);
            }
            else
            {
                errors.Add("rating", $"'{value}' is not a rating from 1 to 5.");
            }
        }
        var territories = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in List(query, "territory"))
        {
            if (Apps.Territories.IsKnown(value))
            {
                territories.Add(value);
            }
            else
            {
                errors.Add("territory", $"'{value}' is not an App Store territory (ISO 3166 alpha-3, upper case).");
            }
        }
        bool? replied = null;
        if (query.TryGetValue("replied", out var repliedText))
        {
            if (bool.TryParse(repliedText, out var parsed))
            {
                replied = parsed;
            }
            else
            {
                errors.Add("replied", "must be true or false.");
            }
        }
        var from = Date(query, "from", errors);
        var to = Date(query, "to", errors);
        if (to is { } end && query["to"].ToString().Length == "yyyy-MM-dd".Length)
        {
            // A date-only "to" includes that whole day; the last day of the calendar has no next day to stop before.
            to = end > DateTimeOffset.MaxValue.AddDays(-1) ? DateTimeOffset.MaxValue : end.AddDays(1).AddTicks(-1);
        }
        if (from > to)
        {
            errors.Add("from", "must not be after 'to'.");
        }
        var limit = defaultLimit;
        if (query.TryGetValue("limit", out var limitText)
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit)
            || limit is < 1 or > MaxLimit))
        {
            errors.Add("limit", $"must be a number from 1 to {MaxLimit}.");
        }
        string? after = null;
        if (query.TryGetValue("continuationToken", out var token) && (after = DecodeToken(token.ToString())) is null)
        {
            errors.Add("continuationToken", "is not a token this API returned.");
        }
        return errors.IsEmpty ? new ReviewListFilter(ratings, territories, replied, from, to, limit, after) : null;
    }

    public static string EncodeToken(string rowKey) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(rowKey)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A timeline RowKey, or null when the token is not one (it must never widen the query beyond the app's
    /// partition).</summary>
    private static string? DecodeToken(string token)
    {
        try
        {
            var padded = token.Replace('-', '+').Replace('_', '/');
            var rowKey = Encoding.UTF8.GetString(Convert.FromBase64String(padded.PadRight(padded.Length
                + (4 - padded.Length % 4) % 4, '=')));
            var parts = rowKey.Split('|');
            return parts.Length == 2 && parts[0].Length == 19 && parts[0].All(char.IsAsciiDigit)
                && ReviewIds.IsValid(parts[1]) ? rowKey : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static IEnumerable<string> List(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values)
            ? values.SelectMany(v =>
            (v ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            : [];

    private static DateTimeOffset? Date(IQueryCollection query, string name, ValidationErrors errors)
    {
        if (!query.TryGetValue(name, out var text))
        {
            return null;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
        {
            return value;
        }
        errors.Add(name, "must be an ISO 8601 date or date-time, e.g. 2026-07-01 or 2026-07-01T10:00:00Z.");
        return null;
    }
}

/// <summary>One page of the Reviews list: the reviews and the token for the next (older) page, null at the
/// end.</summary>
internal sealed record ReviewPage(IReadOnlyList<ReviewEntity> Items, string? ContinuationToken);

/// <summary>Reads an app's reviews newest first through the timeline index, filtering rating, territory and date
/// there.</summary>
internal sealed class ReviewQueries(ReviewStore store)
{
    /// <summary>Index rows read per request at most, so a rare "replied" filter cannot make one request scan a whole
    /// history.</summary>
    public const int MaxScannedPerRequest = 1000;

    public async Task<ReviewPage> ListAsync(string appId, ReviewListFilter filter, CancellationToken cancellationToken)
    {
        var items = new List<ReviewEntity>();
        var scanned = 0;
        string? lastKey = null;
        await foreach (var page in store.Timeline.QueryPagesAsync<ReviewTimelineEntity>(
            IndexFilter(appId, filter), filter.Limit, cancellationToken: cancellationToken))
        {
            // The review rows of one index page are read in parallel; replies can change a review's "replied" state at
            // any time.
            var rows = await Task.WhenAll(page.Values.Select(index =>
                store.GetAsync(appId, index.ReviewId, cancellationToken)));
            for (var i = 0; i < rows.Length; i++)
            {
                scanned++;
                lastKey = page.Values[i].RowKey;
                if (rows[i] is { } review && (filter.Replied is null || IsReplied(review) == filter.Replied))
                {
                    items.Add(review);
                }
                if (items.Count == filter.Limit || scanned >= MaxScannedPerRequest)
                {
                    return new ReviewPage(items, ReviewListFilter.EncodeToken(lastKey));
                }
            }
            if (page.ContinuationToken is null)
            {
                break;
            }
        }
        return new ReviewPage(items, null);
    }

    /// <summary>
    /// Replied: the App Store shows a developer response, or a reply written through ReviewHub is on its way or
    /// published (the replies feature clears the body of a deleted reply; a failed one does not count).
    /// </summary>
    public static bool IsReplied(ReviewEntity review) =>
        !string.IsNullOrEmpty(review.ResponseBody)
        || (!string.IsNullOrEmpty(review.ReplyBody) && review.ReplyStatus is not ("Failed" or "Deleted"));

    private static string IndexFilter(string appId, ReviewListFilter filter)
    {
        var clauses = new List<string> { TableClient.CreateQueryFilter($"PartitionKey eq {appId}") };
        if (filter.After is not null)
        {
            clauses.Add(TableClient.CreateQueryFilter($"RowKey gt {filter.After}"));
        }
        if (filter.To is { } to)
        {
            clauses.Add(TableClient.CreateQueryFilter($"RowKey ge {ReviewTimelineEntity.TimeKey(to)}"));
        }
        if (filter.From is { } from)
        {
            clauses.Add(TableClient.CreateQueryFilter($"RowKey lt {ReviewTimelineEntity.AfterKeysAt(from)}"));
        }
        if (filter.Ratings.Count > 0)
        {
            clauses.Add("("
                + string.Join(" or ",
                filter.Ratings.Order().Select(r => TableClient.CreateQueryFilter($"Rating eq {r}"))) + ")");
        }
        if (filter.Territories.Count > 0)
        {
            clauses.Add("("
                + string.Join(" or ",
                filter.Territories.Order().Select(t => TableClient.CreateQueryFilter($"Territory eq {t}"))) + ")");
        }
        return string.Join(" and ", clauses);
    }
}
