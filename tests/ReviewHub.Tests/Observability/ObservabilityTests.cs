using ReviewHub.Reviews;
using Azure;
using Azure.Storage.Queues;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using OpenTelemetry.Metrics;
using ReviewHub.AppStoreConnect;
using ReviewHub.Fakes;
using ReviewHub.Integrations;
using ReviewHub.Observability;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Observability;

public sealed class ObservabilityTests
{
    private enum SampleReplyState { Queued, Published }

    [Fact]
    public async Task Each_metric_records_its_instrument_with_low_cardinality_dimensions()
    {
        await using var app = await TestApp.StartAsync();
        var metrics = app.Get<ReviewHubMetrics>();
        using var recorded = new RecordedMeasurements(metrics.Meter);

        metrics.ReviewsIngested(3, "api");
        metrics.FetchCompleted(TimeSpan.FromMilliseconds(1500), "feed", "succeeded");
        metrics.Delivered("Slack", ReviewHubMetrics.DeliveryOutcomes.Delivered, 2);
        metrics.RouteBroke("Email");
        metrics.ReplyEntered(SampleReplyState.Published);
        metrics.ReplyFlaggedOverdue();
        metrics.RepliesOverduePending(2);
        metrics.ReplyRequeued();
        metrics.IntegrationEntered(IntegrationStatus.Active);
        metrics.IntegrationActivationFailed("reviews");
        metrics.IntegrationsOperatorsOverdue(2);
        metrics.AppStoreConnectRateLimitObserved(new RateLimit(3600, 420));
        metrics.PoisonMessagesWaiting("new-reviews-poison", 4);

        Assert.Equal(
        [
            $"{ReviewHubMetrics.Names.ReviewsIngested} 3 source=api",
            $"{ReviewHubMetrics.Names.FetchDuration} 1.5 source=feed outcome=succeeded",
            $"{ReviewHubMetrics.Names.Deliveries} 2 channel=Slack outcome=delivered",
            $"{ReviewHubMetrics.Names.RoutesBroken} 1 channel=Email",
            $"{ReviewHubMetrics.Names.Replies} 1 state=Published",
            $"{ReviewHubMetrics.Names.RepliesOverdue} 1",
            $"{ReviewHubMetrics.Names.RepliesOverduePending} 2",
            $"{ReviewHubMetrics.Names.RepliesRequeued} 1",
            $"{ReviewHubMetrics.Names.Integrations} 1 state=Active",
            $"{ReviewHubMetrics.Names.IntegrationActivationFailures} 1 step=reviews",
            $"{ReviewHubMetrics.Names.IntegrationsOperatorsOverdue} 2",
            $"{ReviewHubMetrics.Names.AppStoreConnectRateLimitRemaining} 420",
            $"{ReviewHubMetrics.Names.PoisonMessages} 4 queue=new-reviews-poison",
        ], recorded.Lines);
        Assert.Equal(ReviewHubMetrics.MeterName, metrics.Meter.Name);
        Assert.Equal(ReviewHubMetrics.Names.All, recorded.Names); // a new instrument needs a line above
    }

    [Fact]
    public async Task Every_App_Store_Connect_attempt_reports_the_rate_limit_headroom_including_throttled_retries()
    {
        await using var asc = new FakeAppStoreConnect { HourlyLimit = 2 };
        await asc.StartAsync();
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["AppStoreConnect:BaseUrl"] =
            asc.BaseAddress.ToString() });
        using var recorded = new RecordedMeasurements(app.Get<ReviewHubMetrics>().Meter);
        var key = asc.CreateKey();
        var credential = new AppStoreConnectCredential(key.IssuerId, key.KeyId, key.PrivateKeyPem);
        var client = app.Get<AppStoreConnectClient>();

        // Within budget (the fake answers 404 for this unmapped path, with the header), then over it: 429 and retries.
        for (var call = 0; call < 3; call++)
        {
            await Assert.ThrowsAsync<AppStoreConnectException>(() => client.GetAsync<object>(credential, "/v1/unmapped",
                CancellationToken.None));
        }

        var remaining = recorded.Values(ReviewHubMetrics.Names.AppStoreConnectRateLimitRemaining);
        Assert.Equal([1, 0], remaining.Take(2));
        // The third call is retried by the resilience pipeline; each attempt is measured, so a throttled key shows at
        // 0.
        Assert.Equal(1 + 3, remaining.Skip(2).Count());
        Assert.All(remaining.Skip(2), value => Assert.Equal(0, value));
    }

    [Fact]
    public async Task Poison_queue_monitor_reports_waiting_messages_and_zero_for_queues_never_poisoned()
    {
        await using var app = await TestApp.StartAsync();
        var metrics = app.Get<ReviewHubMetrics>();
        using var recorded = new RecordedMeasurements(metrics.Meter);
        string poisoned = $"obs{Guid.NewGuid():N}", clean = $"obs{Guid.NewGuid():N}";
        var poisonQueue = app.Get<QueueServiceClient>().GetQueueClient(PoisonQueues.NameFor(poisoned));
        await poisonQueue.CreateAsync();
        await poisonQueue.SendMessageAsync("{}");
        await poisonQueue.SendMessageAsync("{}");

        var monitor = ActivatorUtilities.CreateInstance<PoisonQueueMonitorFunctions>(app.Services);
        await monitor.MeasureAsync([poisoned, clean], CancellationToken.None);

        Assert.Equal(
            [$"{ReviewHubMetrics.Names.PoisonMessages} 2 queue={poisoned}-poison",
                $"{ReviewHubMetrics.Names.PoisonMessages} 0 queue={clean}-poison"],
            recorded.Lines);
        await poisonQueue.DeleteAsync();
    }

    [Fact]
    public async Task Poison_queue_monitor_fails_loudly_when_storage_is_unreachable()
    {
        await using var app = await TestApp.StartAsync();
        var unreachable = new QueueServiceClient(new Uri("http://127.0.0.1:9/devstoreaccount1"),
            new QueueClientOptions { Retry = { MaxRetries = 0 } });
        var monitor = new PoisonQueueMonitorFunctions(unreachable, app.Get<ReviewHubMetrics>(),
            ReviewHubStorage.Catalog, NullLogger<PoisonQueueMonitorFunctions>.Instance);

        // The function fails (and the function-failure alert fires) rather than reporting a reassuring zero.
        await Assert.ThrowsAsync<RequestFailedException>(() => monitor.MeasureAsync([ReviewQueues.NewReviews],
            CancellationToken.None));
    }

    [Fact]
    public async Task Log_scope_carries_the_function_invocation_and_the_account_and_app_ids_of_the_trigger()
    {
        var provider = new ScopeRecordingProvider();
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(provider));
        var context = FunctionContextWith(new Dictionary<string, object?>
        {
            ["accountId"] = "acc1", ["AppId"] = "app1", ["reviewId"] = "", ["body"] = "ignored",
        });
        var middleware = new LogScopeMiddleware(loggers.CreateLogger<LogScopeMiddleware>());

        await middleware.Invoke(context, _ =>
        {
            loggers.CreateLogger("Feature").LogInformation("Inside the function");
            return Task.CompletedTask;
        });

        var scope = Assert.Single(provider.ScopesOfEachLog);
        Assert.Equal("acc1", scope["AccountId"]);
        Assert.Equal("app1", scope["AppId"]);
        Assert.Equal("PurgeRemovedApp", scope["FunctionName"]);
        Assert.Equal("invocation-1", scope["InvocationId"]);
        Assert.False(scope.ContainsKey("ReviewId")); // empty values are left out
        Assert.False(scope.ContainsKey("body"));
    }

    [Fact]
    public void Telemetry_is_exported_only_when_Application_Insights_is_configured()
    {
        var local = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        Assert.False(local.AddReviewHubTelemetry());
        Assert.DoesNotContain(local.Services, d => d.ServiceType == typeof(MeterProvider));

        var azure = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        azure.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [ObservabilityServiceCollectionExtensions.ConnectionStringSetting] =
                "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:9/",
            ["AZURE_CLIENT_ID"] = "11111111-1111-1111-1111-111111111111",
        });
        Assert.True(azure.AddReviewHubTelemetry());
        Assert.Contains(azure.Services, d => d.ServiceType == typeof(MeterProvider));
    }

    private static FunctionContext FunctionContextWith(IReadOnlyDictionary<string, object?> bindingData)
    {
        var binding = new Mock<BindingContext>();
        binding.SetupGet(b => b.BindingData).Returns(bindingData);
        var definition = new Mock<FunctionDefinition>();
        definition.SetupGet(d => d.Name).Returns("PurgeRemovedApp");
        var context = new Mock<FunctionContext>();
        context.SetupGet(c => c.BindingContext).Returns(binding.Object);
        context.SetupGet(c => c.FunctionDefinition).Returns(definition.Object);
        context.SetupGet(c => c.InvocationId).Returns("invocation-1");
        return context.Object;
    }

    private sealed class ScopeRecordingProvider : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider scopes = new LoggerExternalScopeProvider();

        public List<Dictionary<string, object?>> ScopesOfEachLog { get; } = [];

        public ILogger CreateLogger(string categoryName) => new ScopeRecordingLogger(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class ScopeRecordingLogger(ScopeRecordingProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner.scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState,
                Exception?, string> formatter)
            {
                var values = new Dictionary<string, object?>();
                owner.scopes.ForEachScope((scope, acc) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        foreach (var (key, value) in pairs)
                        {
                            acc[key] = value;
                        }
                    }
                }, values);
                owner.ScopesOfEachLog.Add(values);
            }
        }
    }
}
