using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.Fakes;
using ReviewHub.GooglePlay;

namespace ReviewHub.Tests.GooglePlay;

/// <summary>
/// The Google Play feature's real registrations (<see cref="GooglePlayServiceCollectionExtensions.AddGooglePlay"/>:
/// options, resilience pipelines, token cache, client) against a <see cref="FakeGooglePlay"/> on a shared clock.
/// </summary>
internal sealed class PlayHarness : IAsyncDisposable
{
    private PlayHarness(FakeGooglePlay play, ServiceProvider services, ShiftedPlayClock clock)
    {
        Play = play;
        Services = services;
        Clock = clock;
    }

    public FakeGooglePlay Play { get; }
    public ServiceProvider Services { get; }
    public ShiftedPlayClock Clock { get; }

    public GooglePlayClient Client => Services.GetRequiredService<GooglePlayClient>();
    public GooglePlayAccessTokens Tokens => Services.GetRequiredService<GooglePlayAccessTokens>();

    public static async Task<PlayHarness> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var clock = new ShiftedPlayClock();
        var play = new FakeGooglePlay { Clock = clock };
        await play.StartAsync();
        var values = FeatureHarness.Overlay(new Dictionary<string, string?>
        {
            ["GooglePlay:BaseUrl"] = play.BaseAddress.ToString(),
            ["GooglePlay:TokenUrl"] = play.TokenUrl.ToString(),
            ["OutboundHttp:RetryBaseDelay"] = "00:00:00.010",
        }, settings);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<TimeProvider>(clock)
            .AddLogging()
            .AddGooglePlay(configuration)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        return new PlayHarness(play, services, clock);
    }

    /// <summary>A service account as an operator provisions it: the fake's key file, parsed as the app does.</summary>
    public GooglePlayServiceAccountKey CreateServiceAccount(out FakeGoogleServiceAccount account)
    {
        account = Play.CreateServiceAccount();
        return GooglePlayServiceAccountKey.Parse(account.KeyJson, out var problem)
            ?? throw new InvalidOperationException(problem);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Play.DisposeAsync();
    }
}

/// <summary>The real clock moved by <see cref="Offset"/>: Google's (the fake's) and the app's, shared.</summary>
internal sealed class ShiftedPlayClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
