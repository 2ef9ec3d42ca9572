using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace ReviewHub.Tests.Simulation;

/// <summary>
/// The simulated month, end to end: fakes and a private Azurite, the host, the scenario, the books. Shared by the CI
/// test (<c>MonthSimulationTests</c>) and the benchmark command (<c>dotnet run -c Release --project
/// tests/ReviewHub.Benchmarks -- month</c>).
/// </summary>
internal static class MonthSimulation
{
    public static async Task<MonthBooks> RunAsync(MonthOptions options, Action<string> output)
    {
        var stopwatch = Stopwatch.StartNew();
        var start = StartOfMonth(DateTimeOffset.UtcNow);
        var clock = new FakeTimeProvider(start);
        await using var fakes = new SimulationFakes();
        await fakes.StartAsync(clock);
        // Apple approves each version of a reply some time within 12 hours (simulated) after it is written.
        var written = new ConcurrentDictionary<string, int>();
        fakes.Asc.ModerationDelay = reviewId =>
        {
            var version = written.AddOrUpdate(reviewId, 1, (_, n) => n + 1);
            return TimeSpan.FromHours(12) * (1 - SeededDraw.Fraction(options.Seed, "moderation", reviewId, version));
        };

        var secrets = Path.Combine(Path.GetTempPath(), "reviewhub-month", Guid.NewGuid().ToString("N"));
        // A private Azurite: the books read every table, which must hold this month's rows only.
        var storage = await Azurite.IsolatedConnectionStringAsync($"month-{Guid.NewGuid():N}");
        var faults = new QueueFaultRates(options.DuplicateRate, options.RedeliveryRate);
        await using var host = await SimulatedHost.StartAsync(new SimulatedHostOptions(
            storage, Settings(storage, secrets, fakes), clock, faults, options.Seed, options.Parallelism));
        try
        {
            var plan = new MonthPlan(options, start);
            output($"month from {plan.Start:yyyy-MM-dd} to {plan.End:yyyy-MM-dd}: {plan.Apps.Count} apps, " +
                $"{plan.Reviews.Count} reviews ({plan.Reviews.Count(r => r.History)} history, " +
                $"{plan.Reviews.Count(r => r.EditedAt is not null)} edited later), " +
                $"{plan.ReplyActions.Count} reply actions");
            output($"timers {string.Join(", ", host.Timers.Select(t => $"{t.Name} '{t.Expression}'"))}; " +
                $"duplicates {options.DuplicateRate:P0}, redeliveries {options.RedeliveryRate:P0}, " +
                $"{options.Parallelism} messages at a time");
            var scenario = new MonthScenario(plan, host, fakes, output);
            await scenario.RunAsync();
            var books = await MonthBooks.CountAsync(scenario, host, fakes, secrets);

            output($"simulated {options.Days} days in {stopwatch.Elapsed.TotalSeconds:F1} s");
            foreach (var line in Report(host, fakes).Concat(books.Lines).Append(books.ResultLine))
            {
                output(line);
            }
            return books;
        }
        finally
        {
            if (Directory.Exists(secrets))
            {
                Directory.Delete(secrets, recursive: true);
            }
        }
    }

    /// <summary>
    /// What the host ran (count, failures, real time per function), what the transport and the fakes saw.
    /// </summary>
    private static IEnumerable<string> Report(SimulatedHost host, SimulationFakes fakes)
    {
        var counters = host.Counters;
        yield return "invocations: " + string.Join(", ", counters.Invocations.OrderBy(i => i.Key).Select(i =>
            $"{i.Key} {i.Value}" + (counters.Failures.TryGetValue(i.Key, out var failed) ? $" ({failed} failed)" : "") +
            $" {counters.Elapsed.GetValueOrDefault(i.Key).TotalSeconds:F1} s"));
        var queues = host.Queues;
        var nudges = counters.Nudges.Select(n => $"{n.Value} for {n.Key}").DefaultIfEmpty("none");
        yield return $"queues: {queues.Sent} sent, {queues.Duplicated} duplicated, {queues.Redelivered} " +
            $"redelivered, {queues.Dequeued} dequeued, {queues.HostPoisoned.Count} poisoned by the host; " +
            $"clock nudges: {string.Join(", ", nudges)}";
        yield return $"fakes: feed {fakes.Feed.Requests.Count} requests, App Store Connect " +
            $"{fakes.Asc.Requests.Count}, Google Play {fakes.Play.Requests.Count}, Slack " +
            $"{fakes.Slack.Messages.Count} messages, SendGrid " +
            $"{fakes.SendGrid.Emails.Count} emails, Zendesk {fakes.Zendesk.Tickets.Count} tickets, webhooks " +
            $"{fakes.Webhooks.Received.Count} (rejected {fakes.Webhooks.Rejected})";
        // Every App Store Connect token is signed for 19 minutes: each distinct one is a renewal across an expiry.
        var tokens = fakes.Asc.Requests.Select(r => r.Headers.GetValueOrDefault("Authorization")).Distinct().Count();
        yield return $"App Store Connect tokens signed: {tokens} (each valid 19 minutes)";
        foreach (var (function, failure) in counters.FirstFailure.OrderBy(f => f.Key))
        {
            yield return $"first failure of {function}: {failure}";
        }
        foreach (var line in host.Log.Summary(10))
        {
            yield return $"log {line}";
        }
        foreach (var entry in host.Log.FirstEntries)
        {
            yield return $"first logged: {entry}";
        }
    }

    /// <summary>
    /// The next Monday 00:00 UTC at least a day from now. The Durable test host runs orchestrations on real time, and a
    /// setup's deadline is computed from the simulated confirmation: a month that starts after the real now keeps every
    /// deadline ahead of the orchestration's clock, so only the events the scenario raises move a setup on.
    /// </summary>
    public static DateTimeOffset StartOfMonth(DateTimeOffset now)
    {
        var day = now.UtcDateTime.Date.AddDays(1);
        while (day.DayOfWeek != DayOfWeek.Monday)
        {
            day = day.AddDays(1);
        }
        return new DateTimeOffset(day, TimeSpan.Zero);
    }

    /// <summary>Production defaults, except the addresses of the fakes and the waits noted here.</summary>
    public static Dictionary<string, string?> Settings(string storage, string secrets, SimulationFakes fakes) => new()
    {
        ["Storage:Tables"] = storage,
        ["Storage:Queues"] = storage,
        ["Auth:Issuer"] = TestTokens.Issuer,
        ["Auth:Audience"] = TestTokens.Audience,
        ["Auth:SigningKey"] = TestTokens.SigningKey,
        ["Auth:OperatorRole"] = TestTokens.OperatorRole,
        ["Secrets:LocalDirectory"] = secrets,
        ["Email:SendGridApiKey"] = fakes.SendGrid.ApiKey,
        ["Email:SendGridBaseUrl"] = fakes.SendGrid.BaseAddress.ToString().TrimEnd('/'),
        ["Email:FromAddress"] = "notifications@reviewhub.test",
        ["EmailConfirmation:SigningKey"] = TestTokens.ConfirmationSigningKey,
        ["EmailConfirmation:LinkBaseUrl"] = "https://reviewhub.test/api",
        ["AppStoreConnect:BaseUrl"] = fakes.Asc.BaseAddress.ToString(),
        ["GooglePlay:BaseUrl"] = fakes.Play.BaseAddress.ToString(),
        ["GooglePlay:TokenUrl"] = fakes.Play.TokenUrl.ToString(),
        // The Play verification polls on real-time Durable timers: seconds apart here, so the poll after the grant
        // propagated (simulated hours later) comes at once.
        ["GooglePlay:VerifyFirstInterval"] = "00:00:00.500",
        ["GooglePlay:VerifyMaxInterval"] = "00:00:02",
        ["Integrations:EmailDomain"] = "integrations.reviewhub.test",
        // Durable timers run on real time: the setup is driven by its events (confirm, key registered, roles updated),
        // and its periodic poll is pushed out of the way; a failed activity retries after a real second rather than 30.
        ["Integrations:PollInterval"] = "1.00:00:00",
        ["Integrations:ActivityFirstRetryInterval"] = "00:00:01",
        ["Delivery:SpaBaseUrl"] = "https://app.reviewhub.test",
        ["Delivery:SlackApiBaseUrl"] = new Uri(fakes.Slack.BaseAddress, "api/").ToString(),
        ["Delivery:ZendeskBaseUrlTemplate"] = fakes.Zendesk.BaseAddress.ToString(),
        ["Delivery:AllowInsecureWebhooks"] = "true",
        ["Slack:SigningSecret"] = TestTokens.SlackSigningSecret,
        ["Slack:ResponseUrlBase"] = fakes.Slack.BaseAddress.ToString(),
        ["ReviewFetchSchedule"] = "0 */5 * * * *",
        ["Reviews:FeedBaseUrl"] = fakes.Feed.BaseAddress.ToString(),
        // Waits inside a handler on the simulated clock (pacing between feed pages and Slack messages, the HTTP
        // clients' retry backoff) would only end when the clock moves, which it does between events: they are zero
        // here, as in tests.
        ["Reviews:FeedRequestDelay"] = "00:00:00",
        ["Delivery:SlackMessageInterval"] = "00:00:00",
        ["OutboundHttp:RetryBaseDelay"] = "00:00:00",
    };
}
