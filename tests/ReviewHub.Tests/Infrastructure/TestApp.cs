using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moq;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Infrastructure;

/// <summary>
/// The function app's real service registrations (<see cref="ReviewHubServices.AddReviewHub"/>) over the test Azurite,
/// with test settings, a recording queue and optional overrides. <see cref="Host"/> invokes HTTP functions like the
/// Functions host.
/// </summary>
internal sealed class TestApp : IAsyncDisposable
{
    private static readonly SemaphoreSlim ProvisionLock = new(1, 1);
    private static readonly HashSet<string> ProvisionedStorage = [];

    private TestApp(ServiceProvider services, IConfiguration configuration)
    {
        Services = services;
        Configuration = configuration;
        Queue = (RecordingMessageQueue)services.GetRequiredService<IMessageQueue>();
        Host = new FunctionHost(services);
    }

    public ServiceProvider Services { get; }
    public IConfiguration Configuration { get; }
    public RecordingMessageQueue Queue { get; }
    public FunctionHost Host { get; }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Settings every test app starts from; a test overrides any of them through <see cref="StartAsync"/>'s
    /// settings.</summary>
    public static async Task<Dictionary<string, string?>> DefaultSettingsAsync()
    {
        var storage = await Azurite.ConnectionStringAsync();
        return new Dictionary<string, string?>
        {
            ["Storage:Tables"] = storage,
            ["Storage:Queues"] = storage,
            ["Auth:Issuer"] = TestTokens.Issuer,
            ["Auth:Audience"] = TestTokens.Audience,
            ["Auth:SigningKey"] = TestTokens.SigningKey,
            ["Auth:OperatorRole"] = TestTokens.OperatorRole,
            ["Secrets:LocalDirectory"] = Path.Combine(Path.GetTempPath(), "reviewhub-test-secrets",
                Guid.NewGuid().ToString("N")),
            ["Email:SendGridApiKey"] = "SG.test-key",
            ["Email:SendGridBaseUrl"] = "http://127.0.0.1:9",
            ["Email:FromAddress"] = "notifications@reviewhub.test",
            ["Email:FromName"] = "ReviewHub",
            ["EmailConfirmation:SigningKey"] = TestTokens.ConfirmationSigningKey,
            ["EmailConfirmation:LinkBaseUrl"] = "https://reviewhub.test/api",
            ["AppStoreConnect:BaseUrl"] = "http://127.0.0.1:9",
            ["OutboundHttp:RetryBaseDelay"] = "00:00:00.010",
            ["Integrations:EmailDomain"] = "integrations.reviewhub.test",
            ["Integrations:PollInterval"] = "00:00:00.300",
            ["Integrations:ActivityFirstRetryInterval"] = "00:00:00.050",
            ["Replies:RetryBaseDelay"] = "00:00:00.010",
            ["Delivery:SpaBaseUrl"] = "https://app.reviewhub.test",
            ["Slack:SigningSecret"] = TestTokens.SlackSigningSecret,
            ["Delivery:SlackApiBaseUrl"] = "http://127.0.0.1:9/api/",
            ["Delivery:ZendeskBaseUrlTemplate"] = "http://127.0.0.1:9/",
            ["Delivery:SlackMessageInterval"] = "00:00:00",
            ["Delivery:AllowInsecureWebhooks"] = "true",
            ["ReviewFetchSchedule"] = "0 */5 * * * *",
            ["Reviews:FeedBaseUrl"] = "http://127.0.0.1:9",
            ["Reviews:FeedRequestDelay"] = "00:00:00",
            ["Reviews:RetryBaseDelay"] = "00:00:00",
        };
    }

    /// <param name="provisionStorage">False for storage that is meant to be unreachable.</param>
    public static async Task<TestApp> StartAsync(
        IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null,
            bool provisionStorage = true)
    {
        var values = await DefaultSettingsAsync();
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddMvcCore();
        services.AddReviewHub(configuration);
        services.Decorate<IMessageQueue>(inner => new RecordingMessageQueue(inner));
        configure?.Invoke(services);
        // HTTP functions bind their Durable client from services here; tests that run orchestrations register the
        // in-process host's.
        services.TryAddSingleton<DurableTaskClient>(_ => new Mock<DurableTaskClient>("not-started").Object);

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        provider.GetRequiredService<IStartupValidator>().Validate();
        if (provisionStorage)
        {
            await ProvisionOnceAsync(provider, configuration["Storage:Tables"]!);
        }
        return new TestApp(provider, configuration);
    }

    private static async Task ProvisionOnceAsync(IServiceProvider provider, string storage)
    {
        await ProvisionLock.WaitAsync();
        try
        {
            if (!ProvisionedStorage.Contains(storage))
            {
                await provider.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(CancellationToken.None);
                ProvisionedStorage.Add(storage);
            }
        }
        finally
        {
            ProvisionLock.Release();
        }
    }

    public async ValueTask DisposeAsync() => await Services.DisposeAsync();
}

internal static class ServiceCollectionDecoration
{
    /// <summary>Wraps the registered singleton <typeparamref name="T"/> with <paramref name="decorate"/>.</summary>
    public static void Decorate<T>(this IServiceCollection services, Func<T, T> decorate) where T : class
    {
        var original = services.Last(d => d.ServiceType == typeof(T));
        services.Remove(original);
        services.AddSingleton(provider => decorate((T)(original.ImplementationInstance
            ?? original.ImplementationFactory?.Invoke(provider)
            ?? ActivatorUtilities.CreateInstance(provider, original.ImplementationType!))));
    }

    public static void Replace<T>(this IServiceCollection services, T instance) where T : class =>
        services.RemoveAll<T>().AddSingleton(instance);
}
