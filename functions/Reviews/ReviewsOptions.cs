using System.ComponentModel.DataAnnotations;

namespace ReviewHub.Reviews;

/// <summary>Review ingestion settings, bound from <c>Reviews__*</c> (see docs/ingestion.md).</summary>
internal sealed class ReviewsOptions : IValidatableObject
{
    public const string Section = "Reviews";

    /// <summary>
    /// Longest fetch interval of an app without an active integration (public feed): the product's promise of 4 times
    /// a day. Adaptive intervals are never longer.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan FeedInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>
    /// Longest fetch interval of an app with an active integration (App Store Connect API): the promise of hourly
    /// fetches. Adaptive intervals are never longer.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan ApiInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Shortest fetch interval of a busy app (the floor of adaptive intervals). The schedule timer must run at least
    /// this often for the floor to be reached.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Adaptive intervals aim at this many new reviews per fetch: interval = this / the app's review rate, between
    /// <see cref="MinInterval"/> and the source's ceiling. 0 turns adaptive intervals off (every app at its ceiling).
    /// </summary>
    [Range(0.0, 1000.0)]
    public double ReviewsPerFetch { get; set; } = 1.0;

    /// <summary>
    /// Time constant of an app's review-rate estimate (an exponentially decayed average of the new reviews its
    /// fetches found): a review counts e^-1 as much after this long.
    /// </summary>
    [Range(typeof(TimeSpan), "00:10:00", "30.00:00:00")]
    public TimeSpan ReviewRateWindow { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// An App Store Connect app is fetched more often than hourly only while its key had at least this share of its
    /// hourly budget left when last seen, so the apps sharing a key never spend its budget on speed-ups.
    /// </summary>
    [Range(0.0, 1.0)]
    public double SpeedUpBudgetShare { get; set; } = 0.5;

    /// <summary>
    /// Shards of the due-time index, a table each (ReviewFetchDue000 …): one timer run reads them in parallel. Each
    /// partition serves about 2,000 operations/s (see docs/capacity.md). Changing it moves no rows: an app stays in the
    /// shard it was created in.
    /// </summary>
    [Range(1, 1000)]
    public int DuePartitions { get; set; } = 16;

    /// <summary>At most this many due apps are enqueued per timer run; the rest stay due for the next run.</summary>
    [Range(1, 100_000)]
    public int MaxEnqueuesPerRun { get; set; } = 5000;

    /// <summary>
    /// Feed probe (docs/ingestion.md, "Feed probe"): an integrated app whose review rate gives it an interval below
    /// <see cref="ApiInterval"/> is fetched hourly from App Store Connect and, at the slots in between, from the public
    /// feed of this many of its territories (those where App Store Connect found the most new reviews). 0 turns the
    /// probe off: the slots in between are App Store Connect fetches, within <see cref="SpeedUpBudgetShare"/>.
    /// </summary>
    [Range(0, 20)]
    public int FeedProbeTerritories { get; set; } = 3;

    /// <summary>
    /// With the feed probe on, an integrated app's interval aims at this many new reviews per fetch instead of
    /// <see cref="ReviewsPerFetch"/>: a probe costs no App Store Connect request, so busy apps are read about ten times
    /// per review they get (one review an hour: every 6 minutes), which keeps their p95 latency near the floor plus the
    /// feed's lag.
    /// </summary>
    [Range(0.001, 1000.0)]
    public double ReviewsPerProbe { get; set; } = 0.1;

    /// <summary>Root of Apple's public customer-reviews feed; tests point it at the fake feed.</summary>
    [Required, Url]
    public string FeedBaseUrl { get; set; } = "https://itunes.apple.com";

    /// <summary>Pause between two feed requests (the feed is unofficial and throttles bursts).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan FeedRequestDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Per-request timeout of the feed (each attempt).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:02:00")]
    public TimeSpan FeedTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Reviews per App Store Connect page (Apple's maximum is 200).</summary>
    [Range(1, 200)]
    public int ApiPageSize { get; set; } = 200;

    /// <summary>
    /// Google Play reads one app's fetches may spend in an hour. Play allows 200 <c>GET</c>s per app per hour, shared
    /// with the replies' read-backs: the rest is theirs. At or above it a fetch waits for the next hour.
    /// </summary>
    [Range(1, 200)]
    public int PlayReadsPerHour { get; set; } = 150;

    /// <summary>An incremental API fetch waits when the key has this many requests or fewer left in its hour.</summary>
    [Range(0, 100_000)]
    public int ApiBudgetReserve { get; set; } = 50;

    /// <summary>A backfill pauses when the key has this many requests or fewer left, keeping them for hourly fetches
    /// and replies.</summary>
    [Range(0, 100_000)]
    public int BackfillBudgetReserve { get; set; } = 500;

    /// <summary>How long a fetch waits when the key's hourly budget is used up (the rolling hour frees requests
    /// meanwhile).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan BudgetWaitDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Fetch attempts through the queue before the message goes to the poison queue.</summary>
    [Range(1, 20)]
    public int MaxFetchAttempts { get; set; } = 6;

    /// <summary>
    /// How often a fetch may be deferred by a Retry-After (App Store Connect, the feed) without spending an attempt;
    /// after that a rate limit counts as a failed attempt.
    /// </summary>
    [Range(0, 100)]
    public int MaxDeferrals { get; set; } = 10;

    /// <summary>First retry delay of a failed fetch; later ones double, with ±25 % jitter, capped at one
    /// hour.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Page size of the Reviews page API when the SPA does not ask for one.</summary>
    [Range(1, 100)]
    public int DefaultListLimit { get; set; } = 50;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MinInterval > ApiInterval || MinInterval > FeedInterval)
        {
            yield return new ValidationResult(
                $"{nameof(MinInterval)} ({MinInterval}) must not be longer than {nameof(ApiInterval)} " +
                $"({ApiInterval}) or {nameof(FeedInterval)} ({FeedInterval}): those are the promised longest " +
                    $"intervals.",
                [nameof(MinInterval)]);
        }
    }
}
