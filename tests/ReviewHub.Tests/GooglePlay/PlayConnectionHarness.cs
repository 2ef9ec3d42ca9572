using System.Diagnostics;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Time.Testing;
using ReviewHub.Apps;
using ReviewHub.Fakes;
using ReviewHub.GooglePlay;
using ReviewHub.Reviews;
using ReviewHub.Tests.Integrations;

namespace ReviewHub.Tests.GooglePlay;

/// <summary>
/// The Google Play connection end to end: the real app on a test clock shared with the fake Play server (so a grant
/// propagates after hours of test time), the fake SendGrid, and the Durable in-process test host running the typed
/// verification orchestrator and activities (registered as the function wrappers do). The orchestration's timers are
/// real and short (100-300 ms polls); deadlines and propagation are decided on the test clock, and so are the app's
/// outbound HTTP retry backoff and timeouts (Polly runs on the app's <see cref="TimeProvider"/>): a call retrying a
/// 5xx goes on only while the test moves the clock (<see cref="AdvanceClockUntilAsync"/>).
/// </summary>
internal sealed class PlayConnectionHarness : FeatureHarness
{
    public const string Package = "com.acme.notes";

    private PlayConnectionHarness(FeatureStart start, FakeGooglePlay play, FakeSendGrid sendGrid,
        DurableTaskTestHost durable, FakeTimeProvider clock, string appId)
        : base(start, play, sendGrid, durable)
    {
        Play = play;
        SendGrid = sendGrid;
        Durable = durable;
        Clock = clock;
        AppId = appId;
    }

    public FakeGooglePlay Play { get; }
    public FakeSendGrid SendGrid { get; }
    public DurableTaskTestHost Durable { get; }
    public FakeTimeProvider Clock { get; }
    public string AppId { get; }
    public FakeGoogleServiceAccount? ServiceAccount { get; private set; }

    public string ConnectionPath => $"{World.AccountPath}/google-play/connection";
    public string InstanceId => PlayConnectionVerificationOrchestrator.InstanceIdFor(World.AccountId);
    public static string OperatorToken => TestTokens.For("operator-1", isOperator: true);

    /// <param name="settings">Added to (or replacing) the harness's settings, e.g. isolated storage.</param>
    public static async Task<PlayConnectionHarness> StartAsync(
        DateTimeOffset now, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var clock = new FakeTimeProvider(now);
        var play = new FakeGooglePlay { Clock = clock };
        await play.StartAsync();
        var sendGrid = new FakeSendGrid();
        await sendGrid.StartAsync();
        TestApp? app = null;
        var durable = await IntegrationHarness.StartDurableAsync(tasks =>
        {
            tasks.AddOrchestrator(nameof(PlayConnectionSetupFunctions.VerifyPlayConnection),
                new PlayConnectionVerificationOrchestrator());
            tasks.AddActivity(nameof(PlayConnectionSetupFunctions.CheckPlayGrant),
                _ => app!.Get<CheckPlayGrantActivity>());
            tasks.AddActivity(nameof(PlayConnectionSetupFunctions.FailPlayConnection),
                _ => app!.Get<FailPlayConnectionActivity>());
            tasks.AddActivity(nameof(PlayConnectionSetupFunctions.EmailPlayConnectionOwner),
                _ => app!.Get<EmailPlayConnectionOwnerActivity>());
        });
        var configuration = new Dictionary<string, string?>
        {
            ["GooglePlay:BaseUrl"] = play.BaseAddress.ToString(),
            ["GooglePlay:TokenUrl"] = play.TokenUrl.ToString(),
            ["GooglePlay:VerifyFirstInterval"] = "00:00:00.100",
            ["GooglePlay:VerifyMaxInterval"] = "00:00:00.300",
            ["Email:SendGridBaseUrl"] = sendGrid.BaseAddress.ToString().TrimEnd('/'),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }
        var start = await StartAppAsync(configuration, clock, services => services.Replace(durable.Client));
        app = start.App;
        var created = await app.Host.PostAsync($"{start.World.AccountPath}/apps", start.World.Token,
            new { storeAppId = Package, platform = "android", name = "Acme Android" });
        Assert.True(created.Status == 201, created.ToString());
        play.AddApp(Package);
        await ConfirmedEmails.ConfirmAllAsync(app, sendGrid);
        return new PlayConnectionHarness(start, play, sendGrid, durable, clock, created.As<AppResponse>().AppId);
    }

    /// <summary>An operator creates the account's service account (or, given its email, a new key for it) and
    /// stores its key file.</summary>
    public async Task<PlayConnectionResponse> ProvisionAsync(string? email = null)
    {
        ServiceAccount = Play.CreateServiceAccount(email);
        var provisioned = await App.Host.PutAsync(
            $"/api/operators/accounts/{World.AccountId}/google-play/service-account", OperatorToken,
            new { keyFile = ServiceAccount.KeyJson });
        Assert.True(provisioned.Status == 200, provisioned.ToString());
        return provisioned.As<PlayConnectionResponse>();
    }

    public Task<TestResponse> ConfirmInvitedAsync() => App.Host.PostAsync($"{ConnectionPath}/invited", World.Token);

    public async Task<PlayConnectionResponse> StatusAsync()
    {
        var response = await App.Host.GetAsync(ConnectionPath, World.Token);
        Assert.True(response.Status == 200, response.ToString());
        return response.As<PlayConnectionResponse>();
    }

    /// <summary>Polls the status as the SPA does until <paramref name="done"/> holds (90 s guard for a loaded
    /// machine).</summary>
    public Task<PlayConnectionResponse> WaitForStatusAsync(Func<PlayConnectionResponse, bool> done) =>
        Polling.UntilAsync(StatusAsync, done);

    /// <summary>Waits until a verification read ran at the clock's current time.</summary>
    public Task<PlayConnectionResponse> CheckedNowAsync() =>
        WaitForStatusAsync(s => s.LastCheckedAt >= Clock.GetUtcNow() || s.Status != "verifying");

    public async Task<OrchestrationMetadata> WaitForCompletionAsync()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        return await Durable.Client.WaitForInstanceCompletionAsync(InstanceId, getInputsAndOutputs: true, guard.Token);
    }

    /// <summary>
    /// Moves the clock on by <paramref name="step"/>, with a short real pause after each step so the work its timers
    /// release can run, until <paramref name="done"/> holds. Fails, naming <paramref name="waitingFor"/>, once
    /// <paramref name="atMost"/> of test time or 90 s of real time went by.
    /// </summary>
    public async Task AdvanceClockUntilAsync(
        Func<Task<bool>> done, TimeSpan step, TimeSpan atMost, string waitingFor)
    {
        ArgumentNullException.ThrowIfNull(done);
        var from = Clock.GetUtcNow();
        var real = Stopwatch.StartNew();
        while (!await done())
        {
            var advanced = Clock.GetUtcNow() - from;
            if (advanced >= atMost || real.Elapsed >= TimeSpan.FromSeconds(90))
            {
                Assert.Fail($"Still waiting for {waitingFor} after {advanced} of test time ({real.Elapsed} real).");
            }
            Clock.Advance(step);
            await Task.Delay(20);
        }
    }

    public async Task<OrchestrationRuntimeStatus?> VerificationStatusAsync() =>
        (await Durable.Client.GetInstanceAsync(InstanceId))?.RuntimeStatus;

    public IReadOnlyList<SentEmail> EmailsTo(string subjectPart) =>
        SendGrid.Emails.Where(e => e.Subject.Contains(subjectPart, StringComparison.Ordinal)).ToList();

    /// <summary>The emails so far once there is one: the orchestration emails in an activity after the check that
    /// decided it, so the status can show the check before the email is sent.</summary>
    public Task<IReadOnlyList<SentEmail>> EmailsOnceSentAsync(string subjectPart) =>
        Polling.UntilAsync(() => Task.FromResult(EmailsTo(subjectPart)), emails => emails.Count > 0);

    public Task<FetchOutcome> FetchAsync() =>
        App.Get<ReviewFetcher>().FetchAsync(new ReviewFetchRequest(World.AccountId, AppId), CancellationToken.None);

    /// <summary>
    /// Stops a verification still running (a test that failed half-way), or the Durable worker would go on running
    /// its activities in a disposed app, then disposes the app while the clock moves on: a call caught in its retry
    /// backoff waits on this clock, and the app's disposal waits for it (Polly drains calls in flight, sleeping on
    /// the same clock), so on a stopped clock both wait forever (the hang of the first 429/5xx test). Bounded.
    /// </summary>
    protected override async ValueTask DisposeAppAsync()
    {
        var shutdown = StopVerificationThenDisposeAppAsync();
        await AdvanceClockUntilAsync(() => Task.FromResult(shutdown.IsCompleted), TimeSpan.FromSeconds(1),
            TimeSpan.FromMinutes(10), "the verification to stop and the app to shut down");
        await shutdown;
    }

    private async Task StopVerificationThenDisposeAppAsync()
    {
        if (await Durable.Client.GetInstanceAsync(InstanceId) is { IsCompleted: false })
        {
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await Durable.Client.TerminateInstanceAsync(InstanceId, "The test ended.", guard.Token);
            await Durable.Client.WaitForInstanceCompletionAsync(InstanceId, guard.Token);
        }
        await App.DisposeAsync();
    }

    public int PlayReads => Play.Requests.Count(r => r.Path.Contains("/reviews", StringComparison.Ordinal));
}
