using System.Globalization;

namespace ReviewHub.Fakes;

/// <summary>
/// A generated review: served by the public feed of its storefront (<see cref="Feed"/>), by App Store Connect
/// (<see cref="Api"/>), or by both — then it is one review in two forms, and ingestion should store it once.
/// </summary>
public sealed record GeneratedReview(string Kind, string Storefront, FakeFeedReview? Feed, FakeCustomerReview? Api)
{
    public bool IsPair => Feed is not null && Api is not null;
}

/// <summary>The feed id and the App Store Connect id a stored review row holds (both once they were matched).</summary>
public sealed record StoredIds(string? FeedId, string? AscId);

/// <summary>
/// How stored rows compare with the truth of a generated set. A merge is a row holding both ids; it is correct when
/// the two are one generated review. Precision = correct / all merges (1 when nothing was merged), recall = correct /
/// pairs.
/// </summary>
public sealed record DedupeScore(
    int Pairs, int Merges, int CorrectMerges, int Lost, int Duplicated, int Rows, int DistinctReviews,
    IReadOnlyDictionary<string, (int Count, int Merged)> ByKind)
{
    public int FalseMerges => Merges - CorrectMerges;
    public double Precision => Merges == 0 ? 1 : (double)CorrectMerges / Merges;
    public double Recall => Pairs == 0 ? 1 : (double)CorrectMerges / Pairs;

    /// <summary>The scores of several sets (e.g. one per app) together.</summary>
    public static DedupeScore Sum(IReadOnlyList<DedupeScore> scores) => new(
        scores.Sum(s => s.Pairs), scores.Sum(s => s.Merges), scores.Sum(s => s.CorrectMerges), scores.Sum(s => s.Lost),
        scores.Sum(s => s.Duplicated), scores.Sum(s => s.Rows), scores.Sum(s => s.DistinctReviews),
        scores.SelectMany(s => s.ByKind).GroupBy(k => k.Key).ToDictionary(
            g => g.Key, g => (g.Sum(k => k.Value.Count), g.Sum(k => k.Value.Merged)), StringComparer.Ordinal));

    public static DedupeScore Of(IReadOnlyList<GeneratedReview> generated, IReadOnlyList<StoredIds> rows)
    {
        var truth = generated.Where(g => g.IsPair)
            .ToDictionary(g => g.Feed!.Id, g => g.Api!.Id, StringComparer.Ordinal);
        var merged = rows.Where(r => r.FeedId is not null && r.AscId is not null).ToList();
        var correct = merged.Count(r => truth.TryGetValue(r.FeedId!, out var asc) && asc == r.AscId);
        var seen = rows.SelectMany(r => new[] { r.FeedId, r.AscId }).OfType<string>().ToList();
        var seenOnce = seen.ToHashSet(StringComparer.Ordinal);
        var generatedIds = generated.SelectMany(g => new[] { g.Feed?.Id, g.Api?.Id }).OfType<string>().ToList();
        var mergedIds = merged.SelectMany(r => new[] { r.FeedId!, r.AscId! }).ToHashSet(StringComparer.Ordinal);
        var byKind = generated.GroupBy(g => g.Kind).ToDictionary(
            g => g.Key,
            g => (g.Count(), g.Count(r => (r.Feed is not null && mergedIds.Contains(r.Feed.Id))
                                          || (r.Api is not null && mergedIds.Contains(r.Api.Id)))),
            StringComparer.Ordinal);
        return new DedupeScore(
            truth.Count, merged.Count, correct, generatedIds.Count(id => !seenOnce.Contains(id)),
            seen.Count - seenOnce.Count, rows.Count, generated.Count, byKind);
    }
}

/// <summary>
/// Reviews in both forms with the near-duplicates that make matching hard, from a seed (the same set every run).
/// Per storefront, each slot becomes one of the kinds below (weights in parentheses):
/// <list type="bullet">
/// <item>one review both sources serve — <c>pair</c> (52): identical; <c>pair-skewed</c> (8): the feed's date up to 2
/// min off; <c>pair-whitespace</c> (5): line breaks and spaces differ; <c>pair-edited-soon</c> (3): edited 2–9 min
/// after posting, so the feed's <c>updated</c> moved; <c>pair-edited-late</c> (2): edited 1 h–3 days later;
/// <c>pair-edited-between</c> (3): the feed was read before the edit, App Store Connect after it;</item>
/// <item><c>twins</c> (2): two customers with one nickname posting the same title, text and rating minutes apart,
/// both served by both sources; <c>other-territory</c> (2): one customer's same text in two storefronts at the same
/// minute;</item>
/// <item>a review only one source serves — <c>api-only</c> (5), <c>feed-only</c> (2), and look-alikes of a review of
/// the storefront that only App Store Connect serves: <c>lookalike-similar-title</c> (4): same nickname and rating,
/// one title word changed, same day; <c>lookalike-same-text</c> (4): same title, text and rating by another nickname,
/// minutes apart; <c>lookalike-hours-apart</c> (3): same nickname, title, text and rating 1–12 h apart;
/// <c>lookalike-edited-body</c> (3): same nickname, title and rating, text edited, minutes apart;
/// <c>lookalike-other-rating</c> (2): same nickname, title and text, another rating, minutes apart.</item>
/// </list>
/// 40 % of nicknames, titles and 30 % of bodies come from small pools of common ones ("Alex", "Great app", "Love
/// it"), so unrelated reviews collide too. Dates are whole seconds within 30 days before <c>newest</c>; half of the
/// feed copies carry a Pacific offset, the API copies UTC (the same instant written differently).
/// </summary>
public sealed class NearDuplicateReviews
{
    private static readonly (string Kind, int Weight)[] Kinds =
    [
        ("pair", 52), ("pair-skewed", 8), ("pair-whitespace", 5), ("pair-edited-soon", 3), ("pair-edited-late", 2),
        ("pair-edited-between", 3), ("twins", 2), ("other-territory", 2), ("api-only", 5), ("feed-only", 2),
        ("lookalike-similar-title", 4), ("lookalike-same-text", 4), ("lookalike-hours-apart", 3),
        ("lookalike-edited-body", 3), ("lookalike-other-rating", 2),
    ];

    private static readonly string[] CommonNicknames =
    [
        "Alex", "Sam", "Chris", "Jordan", "Taylor", "Mike", "Sarah", "John", "Emma", "Max",
        "Anna", "David", "Laura", "Ben", "Kate", "Tom", "Lisa", "Dan", "Nina", "Paul",
    ];

    private static readonly string[] CommonTitles =
    [
        "Great app", "Love it", "Great", "Useless", "Crashes", "Good", "Perfect", "Not bad", "Disappointed",
        "Five stars", "Needs work", "Awesome",
    ];

    private static readonly string[] CommonBodies =
    [
        "Great app!", "Love it", "Works fine.", "Crashes all the time.", "Does what it says.", "Best app ever",
        "Please fix the bugs.", "Too many ads.", "Simple and useful.", "Could be better.",
    ];

    private static readonly string[] Words =
    [
        "notes", "sync", "fast", "slow", "widget", "update", "crash", "login", "dark", "mode", "folder", "search",
        "photo", "backup", "battery", "design", "simple", "price", "subscription", "support", "export", "share",
        "tablet", "phone",
        "lovely", "annoying", "reliable", "clean", "missing", "feature", "since", "version", "every", "time", "open",
        "daily", "works", "again", "really", "please", "great", "layout", "font", "colors", "reminder", "calendar",
    ];

    private static readonly TimeSpan Pacific = TimeSpan.FromHours(-7);

    private readonly Random random;
    private readonly DateTimeOffset newest;
    private readonly List<GeneratedReview> generated = [];
    private long nextFeedId = 7_000_000_000;

    private NearDuplicateReviews(int seed, DateTimeOffset newest)
    {
        random = new Random(seed);
        this.newest = newest;
    }

    /// <summary>The public feed serves 500 reviews per storefront at most: a set must fit (the first import reads
    /// them all).</summary>
    public const int MaxFeedPerStorefront = FakeReviewFeed.MaxPages * FakeReviewFeed.PageSize;

    /// <param name="storefronts">(feed storefront, App Store Connect territory), e.g. ("us", "USA").</param>
    public static IReadOnlyList<GeneratedReview> Generate(
        int seed, IReadOnlyList<(string Storefront, string Territory)> storefronts, int slotsPerStorefront,
        DateTimeOffset newest)
    {
        var set = new NearDuplicateReviews(seed, newest);
        for (var s = 0; s < storefronts.Count; s++)
        {
            for (var slot = 0; slot < slotsPerStorefront; slot++)
            {
                set.AddSlot(storefronts[s], storefronts[(s + 1) % storefronts.Count]);
            }
        }
        foreach (var group in set.generated.Where(g => g.Feed is not null).GroupBy(g => g.Storefront))
        {
            if (group.Count() > MaxFeedPerStorefront)
            {
                throw new InvalidOperationException(
                    $"Storefront {group.Key} would serve {group.Count()} feed reviews; the feed shows "
                    + $"{MaxFeedPerStorefront} at most.");
            }
        }
        return set.generated;
    }

    private void AddSlot((string Storefront, string Territory) here, (string Storefront, string Territory) next)
    {
        var kind = PickKind();
        var api = NewReview(here.Territory);
        switch (kind)
        {
            case "pair-skewed":
                AddPair(kind, here.Storefront, api, feedDate: api.CreatedDate.AddSeconds(Signed(1, 120)));
                break;
            case "pair-whitespace":
                var spaced = api.Body.Replace(". ", ".\r\n", StringComparison.Ordinal)
                    .Replace(" ", "  ", StringComparison.Ordinal);
                AddPair(kind, here.Storefront, api, feedTitle: api.Title + " ", feedBody: spaced + "\n");
                break;
            case "pair-edited-soon" or "pair-edited-late":
                var edited = api with { Body = $"{api.Body} Update: {Sentence()}" };
                var after = kind == "pair-edited-soon"
                    ? TimeSpan.FromSeconds(random.Next(120, 540))
                    : TimeSpan.FromSeconds(random.Next(3_600, 3 * 86_400));
                AddPair(kind, here.Storefront, edited, feedDate: edited.CreatedDate + after);
                break;
            case "pair-edited-between":
                var later = api with { Body = $"{api.Body} Update: {Sentence()}" };
                AddPair(kind, here.Storefront, later, feedBody: api.Body);
                break;
            case "twins":
                AddPair(kind, here.Storefront, api);
                var twin = api with { Id = NewAscId(), CreatedDate = api.CreatedDate.AddSeconds(Signed(60, 300)) };
                AddPair(kind, here.Storefront, twin);
                break;
            case "other-territory":
                AddPair(kind, here.Storefront, api);
                AddPair(kind, next.Storefront, api with { Id = NewAscId(), Territory = next.Territory });
                break;
            case "api-only":
                generated.Add(new GeneratedReview(kind, here.Storefront, null, api));
                break;
            case "feed-only":
                var removed = FakeReviewFeed.CopyOf(api, nextFeedId++);
                generated.Add(new GeneratedReview(kind, here.Storefront, removed, null));
                break;
            case not "pair" when LookalikeOf(kind, here.Storefront) is { } lookalike:
                generated.Add(new GeneratedReview(kind, here.Storefront, null, lookalike));
                break;
            default:
                AddPair("pair", here.Storefront, api);
                break;
        }
    }

    /// <summary>A review only App Store Connect serves that resembles one the storefront has in both forms.</summary>
    private FakeCustomerReview? LookalikeOf(string kind, string storefront)
    {
        var originals = generated.Where(g => g.Storefront == storefront && g.Kind == "pair").ToList();
        if (originals.Count == 0)
        {
            return null;
        }
        var original = originals[random.Next(originals.Count)].Api!;
        var minutesApart = original.CreatedDate.AddSeconds(Signed(0, 540));
        var lookalike = original with { Id = NewAscId(), Response = null };
        return kind switch
        {
            "lookalike-similar-title" => lookalike with
            {
                Title = ChangeOneWord(original.Title),
                Body = Body(),
                CreatedDate = original.CreatedDate.AddSeconds(Signed(0, 8 * 3_600)),
            },
            "lookalike-same-text" => lookalike with { ReviewerNickname = UniqueNickname(), CreatedDate = minutesApart },
            "lookalike-hours-apart" => lookalike with
            {
                CreatedDate = original.CreatedDate.AddSeconds(Signed(3_600, 12 * 3_600)),
            },
            "lookalike-edited-body" => lookalike with
            {
                Body = $"{original.Body} {Sentence()}", CreatedDate = minutesApart,
            },
            "lookalike-other-rating" => lookalike with
            {
                Rating = original.Rating == 5 ? 4 : original.Rating + 1, CreatedDate = minutesApart,
            },
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a look-alike kind"),
        };
    }

    private void AddPair(
        string kind, string storefront, FakeCustomerReview api, DateTimeOffset? feedDate = null,
        string? feedTitle = null, string? feedBody = null)
    {
        var feed = FakeReviewFeed.CopyOf(api, nextFeedId++);
        var updated = feedDate ?? api.CreatedDate;
        feed = feed with
        {
            Title = feedTitle ?? feed.Title,
            Content = feedBody ?? feed.Content,
            Updated = random.Next(2) == 0 ? updated.ToOffset(Pacific) : updated,
        };
        generated.Add(new GeneratedReview(kind, storefront, feed, api));
    }

    private FakeCustomerReview NewReview(string territory)
    {
        var created = newest.AddSeconds(-random.Next(3_600, 30 * 86_400)).ToOffset(TimeSpan.Zero);
        return new FakeCustomerReview(
            NewAscId(), Rating(), random.Next(10) < 4 ? CommonTitles[random.Next(CommonTitles.Length)] : Phrase(2, 5),
            Body(), random.Next(10) < 4 ? CommonNicknames[random.Next(CommonNicknames.Length)] : UniqueNickname(),
            new DateTimeOffset(created.Ticks - created.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero), territory);
    }

    private string PickKind()
    {
        var roll = random.Next(Kinds.Sum(k => k.Weight));
        foreach (var (kind, weight) in Kinds)
        {
            if ((roll -= weight) < 0)
            {
                return kind;
            }
        }
        throw new InvalidOperationException("unreachable");
    }

    private int Rating() => random.Next(10) switch { 0 => 1, 1 => 2, 2 => 3, < 5 => 4, _ => 5 };

    private string Body() => random.Next(10) < 3
        ? CommonBodies[random.Next(CommonBodies.Length)]
        : string.Join(' ', Enumerable.Range(0, random.Next(1, 4)).Select(_ => Sentence()));

    private string Sentence()
    {
        var phrase = Phrase(6, 14);
        return $"{char.ToUpperInvariant(phrase[0])}{phrase[1..]}.";
    }

    private string Phrase(int min, int max) =>
        string.Join(' ', Enumerable.Range(0, random.Next(min, max + 1)).Select(_ => Words[random.Next(Words.Length)]));

    private string ChangeOneWord(string title)
    {
        var words = title.Split(' ');
        var at = random.Next(words.Length);
        var replacement = Words.Where(w => !string.Equals(w, words[at], StringComparison.OrdinalIgnoreCase)).ToList();
        words[at] = replacement[random.Next(replacement.Count)];
        return string.Join(' ', words);
    }

    private string UniqueNickname() => string.Create(CultureInfo.InvariantCulture,
        $"{Words[random.Next(Words.Length)]}{Words[random.Next(Words.Length)]}{random.Next(10, 100_000)}");

    private string NewAscId()
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes).ToString();
    }

    private int Signed(int min, int max) => (random.Next(2) == 0 ? -1 : 1) * random.Next(min, max + 1);
}
