using Microsoft.Extensions.DependencyInjection;

namespace ReviewHub.Tests.Infrastructure;

/// <summary>
/// The start-up and tear-down every feature's harness shares: settings that point the app at the harness's fakes,
/// with the test's own on top; the app started on a test clock (when given) and the test's registrations; one
/// member's account and app; and, at the end, the app disposed before the fakes it talks to.
/// </summary>
internal abstract class FeatureHarness : IAsyncDisposable
{
    private readonly IAsyncDisposable[] fakes;

    protected FeatureHarness(FeatureStart start, params IAsyncDisposable[] fakes)
    {
        ArgumentNullException.ThrowIfNull(start);
        App = start.App;
        World = start.World;
        this.fakes = fakes;
    }

    public TestApp App { get; }
    public TestWorld World { get; }

    /// <summary>The harness's settings with the test's laid over them (the test's win).</summary>
    public static Dictionary<string, string?> Overlay(
        IDictionary<string, string?> harness, IDictionary<string, string?>? test)
    {
        var values = new Dictionary<string, string?>(harness);
        foreach (var (key, value) in test ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
        return values;
    }

    /// <param name="clock">Replaces the app's clock, for tests that move time.</param>
    /// <param name="configure">The test's registrations, applied last.</param>
    /// <param name="storeAppId">The App Store id of the world's app; a fresh one when null.</param>
    protected static async Task<FeatureStart> StartAppAsync(IDictionary<string, string?> settings,
        TimeProvider? clock = null, Action<IServiceCollection>? configure = null, string? storeAppId = null)
    {
        var app = await TestApp.StartAsync(settings, services =>
        {
            if (clock is not null)
            {
                services.Replace(clock);
            }
            configure?.Invoke(services);
        });
        return new FeatureStart(app, await TestWorld.CreateAsync(app, storeAppId));
    }

    public async ValueTask DisposeAsync()
    {
        await DisposeAppAsync();
        foreach (var fake in fakes)
        {
            await fake.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the app, before the fakes; a harness that runs work of its own in the app (orchestrations)
    /// or holds its clock stops that first.</summary>
    protected virtual ValueTask DisposeAppAsync() => App.DisposeAsync();
}

/// <summary>What <see cref="FeatureHarness.StartAppAsync"/> started: the app and its member's world.</summary>
internal sealed record FeatureStart(TestApp App, TestWorld World);
