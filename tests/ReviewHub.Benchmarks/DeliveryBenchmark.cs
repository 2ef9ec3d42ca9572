using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using ReviewHub.Accounts;
using ReviewHub.Apps;
using ReviewHub.Delivery;
using ReviewHub.Fakes;
using ReviewHub.Json;
using ReviewHub.Reviews;
using ReviewHub.Security;
using ReviewHub.Storage;
using ReviewHub.Tests.Infrastructure;

namespace ReviewHub.Benchmarks;

/// <summary>
/// Deliveries per second through the fake Slack, Zendesk, SendGrid and webhook receiver, with four routes per app.
/// Every new-reviews message is fanned out twice and every unit of work is queued twice and taken by concurrent
/// workers, so the idempotency ledger is exercised; duplicates are counted from what the fakes received.
/// Options: --apps N (default 20), --batches N per app (default 3), --reviews N per batch (default 4), --workers N
/// (default 8).
/// </summary>
internal sealed partial class DeliveryBenchmark : IBenchmark
{
    private const string SlackToken = "xoxb-bench";
    private const string ZendeskEmail = "agent@bench.test";
    private const string ZendeskToken = "bench-token";

    public string Name => "delivery";

    public async Task<int> RunAsync(string[] args)
    {
        int apps = Option(args, "--apps", 20), batches = Option(args, "--batches", 3), perBatch =
            Option(args, "--reviews", 4), workers = Option(args, "--workers", 8);
        await using var slack = new FakeSlack().AddToken(SlackToken);
        await using var zendesk = new FakeZendesk().AddCredential(ZendeskEmail, ZendeskToken);
        await using var sendGrid = new FakeSendGrid();
        await using var webhooks = new FakeWebhookReceiver();
        await Task.WhenAll(slack.StartAsync(), zendesk.StartAsync(), sendGrid.StartAsync(), webhooks.StartAsync());

        var queue = new InMemoryDeliveryQueue();
        await using var services = await BuildServicesAsync(slack, zendesk, sendGrid, queue);
        var batchesToSend = await SeedAsync(services, slack, webhooks, sendGrid, apps, batches, perBatch);
        var expectedPairs = batchesToSend.Sum(b => b.ReviewIds.Count) * 4;
        Console.WriteLine($"delivery benchmark: {apps} apps x 4 routes (slack, zendesk, webhook, email), {batches} " +
            $"batches x {perBatch} reviews per app, " +
                          $"{workers} concurrent workers, every message delivered twice; {expectedPairs} (review, " +
                              $"route) pairs expected");

        var stopwatch = Stopwatch.StartNew();
        var allDelivered = WhenAllDeliveredAsync(stopwatch, expectedPairs, () => Count(slack, zendesk, sendGrid,
            webhooks).Observed);
        var fanOut = ActivatorUtilities.CreateInstance<DeliveryFunctions>(services);
        foreach (var batch in batchesToSend)
        {
            await fanOut.FanOutNewReviews(batch, CancellationToken.None);
            await fanOut.FanOutNewReviews(batch, CancellationToken.None); // duplicate new-reviews message
        }
        var fannedOut = stopwatch.Elapsed;
        var failures = await queue.DrainAsync(workers, work => services.GetRequiredService<RouteDeliverer>()
            .DeliverAsync(work, CancellationToken.None));
        stopwatch.Stop();

        var (observed, duplicates) = Count(slack, zendesk, sendGrid, webhooks);
        var deliveredIn = await allDelivered ?? stopwatch.Elapsed;
        var perSecond = observed / deliveredIn.TotalSeconds;
        Console.WriteLine($"every pair delivered after {deliveredIn.TotalSeconds:F2} s; queue drained after " +
            $"{stopwatch.Elapsed.TotalSeconds:F2} s " +
                          "(duplicates that found pairs in flight re-check after the claim lease)");
        Console.WriteLine(
            $"fan-out of {batchesToSend.Count * 2} new-reviews messages took {fannedOut.TotalSeconds:F2} s");
        Console.WriteLine(
            $"units of work processed {queue.Processed} (incl. duplicates and deferrals), failed attempts {failures}");
        Console.WriteLine(
            $"received by fakes: slack {slack.Messages.Count} messages, zendesk {zendesk.Tickets.Count} tickets, " +
                          $"webhooks {webhooks.Received.Count} (rejected {webhooks.Rejected}), emails " +
                              $"{sendGrid.Emails.Count}");
        Console.WriteLine($"pairs observed {observed} of {expectedPairs}; missing {expectedPairs - observed}");
        Console.WriteLine($"RESULT deliveries_per_s={perSecond:F1} duplicates={duplicates}");
        return duplicates == 0 && observed == expectedPairs ? 0 : 1;
    }

    private static async Task<ServiceProvider> BuildServicesAsync(FakeSlack slack, FakeZendesk zendesk,
        FakeSendGrid sendGrid, InMemoryDeliveryQueue queue)
    {
        var storage = await Azurite.ConnectionStringAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Tables"] = storage,
            ["Storage:Queues"] = storage,
            ["Auth:Issuer"] = "https://bench.test",
            ["Auth:Audience"] = "api://bench",
            ["Auth:SigningKey"] = Convert.ToBase64String(new byte[32]),
            ["Secrets:LocalDirectory"] = Path.Combine(Path.GetTempPath(), "reviewhub-bench-secrets",
                Guid.NewGuid().ToString("N")),
            ["Email:SendGridApiKey"] = sendGrid.ApiKey,
            ["Email:SendGridBaseUrl"] = sendGrid.BaseAddress.ToString().TrimEnd('/'),
            ["Email:FromAddress"] = "notifications@bench.test",
            ["EmailConfirmation:SigningKey"] =
                Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["EmailConfirmation:LinkBaseUrl"] = "https://bench.test/api",
            ["AppStoreConnect:BaseUrl"] = "http://127.0.0.1:9",
            ["OutboundHttp:RetryBaseDelay"] = "00:00:00.010",
            ["Delivery:SpaBaseUrl"] = "https://app.bench.test",
            ["Delivery:SlackApiBaseUrl"] = new Uri(slack.BaseAddress, "api/").ToString(),
            ["Delivery:ZendeskBaseUrlTemplate"] = zendesk.BaseAddress.ToString(),
            // The pipeline's own throughput: Slack's 1 message/s per channel would otherwise be the whole measurement.
            ["Delivery:SlackMessageInterval"] = "00:00:00",
            ["Delivery:ClaimLease"] = "00:00:05",
            ["Delivery:AllowInsecureWebhooks"] = "true",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Error));
        services.AddReviewHub(configuration);
        services.RemoveAll<IMessageQueue>();
        services.AddSingleton<IMessageQueue>(queue);
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(CancellationToken.None);
        return provider;
    }

    private static async Task<List<NewReviewsBatch>> SeedAsync(
        IServiceProvider services, FakeSlack slack, FakeWebhookReceiver webhooks, FakeSendGrid sendGrid, int apps,
            int batches,
        int perBatch)
    {
        var accounts = services.GetRequiredService<AccountStore>();
        var appStore = services.GetRequiredService<AppStore>();
        var routes = services.GetRequiredService<RouteStore>();
        var reviews = services.GetRequiredService<TableServiceClient>().GetTableClient(ReviewTables.Reviews);
        var account = await accounts.CreateAsync(new Caller("bench-user", null, false), "Bench", "owner@bench.test",
            CancellationToken.None);
        var result = new List<NewReviewsBatch>();
        for (var a = 0; a < apps; a++)
        {
            var (_, app) = await appStore.RegisterAsync(account.AccountId,
                new RegisterAppRequest(Random.Shared.NextInt64(100_000_000, 9_999_999_999).ToString(
                    CultureInfo.InvariantCulture), "ios", $"Bench {a}", ["USA"]), CancellationToken.None);
            var channel = $"C{a:D10}";
            slack.AddChannel(channel);
            await routes.CreateAsync(account.AccountId, app.AppId, DeliveryChannel.Slack,
                new CreateRouteRequest("slack", null, channel, null, true, SlackToken, null, null),
                    CancellationToken.None);
            await routes.CreateAsync(account.AccountId, app.AppId, DeliveryChannel.Zendesk,
                new CreateRouteRequest("zendesk", null, "bench", null, true, null, ZendeskEmail, ZendeskToken),
                    CancellationToken.None);
            await routes.CreateAsync(account.AccountId, app.AppId, DeliveryChannel.Email,
                new CreateRouteRequest("email", null, $"team{a}@bench.test", null, true, null, null, null),
                    CancellationToken.None);
            await ConfirmAsync(services, sendGrid, account.AccountId, $"team{a}@bench.test");
            var (_, secret) = await routes.CreateAsync(account.AccountId, app.AppId, DeliveryChannel.Webhook,
                new CreateRouteRequest("webhook", null, webhooks.UrlFor($"hooks/{a}"), null, true, null, null, null),
                    CancellationToken.None);
            webhooks.SetSecret($"hooks/{a}", secret!);

            for (var b = 0; b < batches; b++)
            {
                var ids = new List<string>();
                for (var r = 0; r < perBatch; r++)
                {
                    var id = $"{a:D4}{b:D4}{r:D4}";
                    await reviews.UpsertEntityAsync(new ReviewEntity
                    {
                        PartitionKey = app.AppId, RowKey = id, AccountId = account.AccountId, Rating = 1 + r % 5,
                            Title = $"Review {id}",
                        Body = "Benchmark review body", Territory = "USA", CreatedAt = DateTimeOffset.UtcNow,
                            IngestedAt = DateTimeOffset.UtcNow,
                    });
                    ids.Add(id);
                }
                result.Add(new NewReviewsBatch(account.AccountId, app.AppId, Ids.New(), false, ids));
            }
        }
        return result;
    }

    /// <summary>
    /// The recipient confirms the address as a person does: the real sender mails the link to the fake SendGrid and the
    /// token from that email confirms it (the API's confirm endpoint does the same with it).
    /// </summary>
    private static async Task ConfirmAsync(IServiceProvider services, FakeSendGrid sendGrid, string accountId,
        string address)
    {
        var confirmations = services.GetRequiredService<EmailConfirmationStore>();
        await confirmations.RequestAsync(accountId, [address], CancellationToken.None);
        await services.GetRequiredService<EmailConfirmationSender>()
            .SendAsync(new EmailConfirmationMessage(accountId, address), CancellationToken.None);
        var link = ConfirmedEmails.LinkIn(sendGrid.Emails.Last(e => e.To.Contains(address)).PlainText!);
        var (outcome, _) = await confirmations.ConfirmAsync(link[(link.LastIndexOf('/') + 1)..],
            CancellationToken.None);
        if (outcome != ConfirmOutcome.Confirmed)
        {
            throw new InvalidOperationException($"Confirming {address} answered {outcome}.");
        }
        sendGrid.Forget(ConfirmedEmails.IsConfirmation);
    }

    /// <summary>(review, route) pairs the fakes saw at least once, and how many times beyond once they saw any
    /// pair.</summary>
    private static (int Observed, int Duplicates) Count(FakeSlack slack, FakeZendesk zendesk, FakeSendGrid sendGrid,
        FakeWebhookReceiver webhooks)
    {
        var seen = new[]
        {
            slack.Messages.SelectMany(m => ReviewLink().Matches(m.BlocksJson).Select(x =>
                $"slack|{m.Channel}|{x.Groups[1].Value}")),
            zendesk.Tickets.Select(t => $"zendesk|{t.ExternalId}"),
            webhooks.Received.Select(w =>
                $"webhook|{w.Path}|{JsonDocument.Parse(w.Body).RootElement.GetProperty("data").GetProperty("reviewId")
                    .GetString()}"),
            sendGrid.Emails.SelectMany(e => ReviewLink().Matches(e.PlainText ?? "").Select(x =>
                $"email|{e.To[0]}|{x.Groups[1].Value}")),
        }.SelectMany(s => s).GroupBy(key => key).ToList();
        return (seen.Count, seen.Sum(g => g.Count() - 1));
    }

    /// <summary>When the fakes have seen every expected pair (polled), or null if that never happened before the queue
    /// drained.</summary>
    private static async Task<TimeSpan?> WhenAllDeliveredAsync(Stopwatch stopwatch, int expected, Func<int> observed)
    {
        while (stopwatch.IsRunning)
        {
            if (observed() >= expected)
            {
                return stopwatch.Elapsed;
            }
            await Task.Delay(200);
        }
        return null;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], out var value) ? value : fallback;
    }

    [GeneratedRegex(@"/reviews/(\d+)")]
    private static partial Regex ReviewLink();

    /// <summary>
    /// The deliveries queue in memory: messages go through JSON like the real queue, every message is enqueued twice
    /// (a duplicate delivery), visibility delays are honoured, and failed attempts are retried up to five times like
    /// the host.
    /// </summary>
    private sealed class InMemoryDeliveryQueue : IMessageQueue
    {
        private readonly Channel<(string Json, int Dequeues)> channel = Channel.CreateUnbounded<(string, int)>();
        private int outstanding;
        private int processed;

        public int Processed => processed;

        public Task SendAsync<TMessage>(string queueName, TMessage message, TimeSpan? visibilityDelay = null,
            CancellationToken cancellationToken = default)
        {
            if (queueName != DeliveryQueues.Deliveries)
            {
                return Task.CompletedTask;
            }
            var json = JsonSerializer.Serialize(message, ReviewHubJson.Options);
            Enqueue(json, 0, visibilityDelay);
            Enqueue(json, 0, visibilityDelay);
            return Task.CompletedTask;
        }

        public async Task<int> DrainAsync(int workers, Func<DeliveryWork, Task> deliver)
        {
            var failures = 0;
            if (Volatile.Read(ref outstanding) == 0)
            {
                return 0;
            }
            var tasks = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
            {
                await foreach (var (json, dequeues) in channel.Reader.ReadAllAsync())
                {
                    try
                    {
                        await deliver(JsonSerializer.Deserialize<DeliveryWork>(json, ReviewHubJson.Options)!);
                    }
                    catch (Exception)
                    {
                        // Like the host: retry after a short invisibility; after the fifth attempt the message would go
                        // to poison.
                        Interlocked.Increment(ref failures);
                        if (dequeues < 4)
                        {
                            Enqueue(json, dequeues + 1, TimeSpan.FromMilliseconds(100));
                        }
                    }
                    Interlocked.Increment(ref processed);
                    if (Interlocked.Decrement(ref outstanding) == 0)
                    {
                        channel.Writer.TryComplete();
                    }
                }
            })).ToList();
            await Task.WhenAll(tasks);
            return failures;
        }

        private void Enqueue(string json, int dequeues, TimeSpan? delay)
        {
            Interlocked.Increment(ref outstanding);
            if (delay is { } wait && wait > TimeSpan.Zero)
            {
                _ = Task.Delay(wait).ContinueWith(_ => channel.Writer.TryWrite((json, dequeues)),
                    TaskScheduler.Default);
            }
            else
            {
                channel.Writer.TryWrite((json, dequeues));
            }
        }
    }
}
