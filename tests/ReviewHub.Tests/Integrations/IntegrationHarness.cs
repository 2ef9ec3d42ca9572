using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.AppStoreConnect;
using ReviewHub.Fakes;
using ReviewHub.Integrations;

namespace ReviewHub.Tests.Integrations;

/// <summary>Records activations, as ingestion's listener switches the app to hourly; can fail on purpose.</summary>
internal sealed class RecordingActivationListener : IIntegrationActivationListener
{
    private int failuresLeft;
    private int calls;

    public ConcurrentQueue<AppConnection> Activated { get; } = new();

    public int Calls => Volatile.Read(ref calls);

    public string ActivationStep => "recording";

    /// <summary>The next <paramref name="times"/> calls throw (int.MaxValue: until told otherwise).</summary>
    public void Fail(int times) => Volatile.Write(ref failuresLeft, times);

    public Task OnActivatedAsync(AppConnection connection, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref calls);
        if (Volatile.Read(ref failuresLeft) > 0)
        {
            Interlocked.Decrement(ref failuresLeft);
            throw new InvalidOperationException("The listener failed (injected by the test).");
        }
        Activated.Enqueue(connection);
        return Task.CompletedTask;
    }
}

/// <summary>
/// The whole setup flow in process: the real services (<see cref="TestApp"/>), the fake App Store Connect and SendGrid,
/// and the Durable in-process test host running the real orchestrator and activities. HTTP functions get the host's
/// client.
/// </summary>
internal sealed class IntegrationHarness : IAsyncDisposable
{
    private IntegrationHarness(FakeAppStoreConnect asc, FakeSendGrid sendGrid, DurableTaskTestHost durable, TestApp app,
        TestWorld world,
        RecordingActivationListener listener)
    {
        Asc = asc;
        SendGrid = sendGrid;
        Durable = durable;
        App = app;
        World = world;
        Listener = listener;
    }

    public FakeAppStoreConnect Asc { get; }
    public FakeSendGrid SendGrid { get; }
    public DurableTaskTestHost Durable { get; }
    public TestApp App { get; }
    public TestWorld World { get; }
    public RecordingActivationListener Listener { get; }

    /// <summary>The App Store Connect team the tests connect; the world's app is one of its apps.</summary>
    public const string Team = "Acme Team";

    public string ConnectionId => ConnectionIds.For(Team);
    public string IntegrationPath => $"{World.AccountPath}/connections/{ConnectionId}";
    public string OperatorToken => TestTokens.For("operator-1", isOperator: true);
    public string InstanceId => IntegrationSetupFunctions.InstanceIdFor(World.AccountId, ConnectionId);
    public string IntegrationEmail => $"asc-{World.AccountId}@integrations.reviewhub.test";

    public static async Task<IntegrationHarness> StartAsync(
        IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var asc = new FakeAppStoreConnect();
        await asc.StartAsync();
        var sendGrid = new FakeSendGrid();
        await sendGrid.StartAsync();

        TestApp? app = null;
        var durable = await StartDurableAsync(tasks =>
        {
            // Registered by type under the wrapper functions' names, as the host runs them.
            tasks.AddOrchestrator<IntegrationSetupOrchestrator>(nameof(IntegrationSetupFunctions.IntegrationSetup));
            tasks.AddActivity(nameof(IntegrationActivityFunctions.CheckIntegration),
                _ => app!.Get<CheckIntegrationActivity>());
            tasks.AddActivity(nameof(IntegrationActivityFunctions.ActivateIntegration),
                _ => app!.Get<ActivateIntegrationActivity>());
            tasks.AddActivity(nameof(IntegrationActivityFunctions.FailIntegration),
                _ => app!.Get<FailIntegrationActivity>());
            tasks.AddActivity(nameof(IntegrationActivityFunctions.RecordIntegrationCancelled),
                _ => app!.Get<RecordIntegrationCancelledActivity>());
            tasks.AddActivity(nameof(IntegrationActivityFunctions.EmailIntegrationOwner),
                _ => app!.Get<EmailIntegrationOwnerActivity>());
        });

        var values = new Dictionary<string, string?>
        {
            ["AppStoreConnect:BaseUrl"] = asc.BaseAddress.ToString(),
            ["Email:SendGridBaseUrl"] = sendGrid.BaseAddress.ToString().TrimEnd('/'),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
        var listener = new RecordingActivationListener();
        app = await TestApp.StartAsync(values, services =>
        {
            services.Replace(durable.Client);
            services.AddSingleton<IIntegrationActivationListener>(listener);
            configure?.Invoke(services);
        });
        var world = await TestWorld.CreateAsync(app);
        var registered = (await app.Get<ReviewHub.Apps.AppStore>().GetAsync(world.AccountId, world.AppId,
            CancellationToken.None))!;
        asc.AddApp(registered.StoreAppId, registered.Name, $"com.example.{registered.StoreAppId}", "IOS");
        // The owner confirmed their email, so setup emails reach them.
        await ConfirmedEmails.ConfirmAllAsync(app, sendGrid);
        return new IntegrationHarness(asc, sendGrid, durable, app, world, listener);
    }

    /// <summary>
    /// Starts the Durable test host on a port the OS just handed out. Left alone it picks a random port in 30000-40000
    /// without checking it, which collides with ephemeral ports on a busy machine; a lost race is retried.
    /// </summary>
    public static async Task<DurableTaskTestHost> StartDurableAsync(Action<DurableTaskRegistry> registry)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            try
            {
                return await DurableTaskTestHost.StartAsync(registry, new DurableTaskTestHostOptions { Port = port });
            }
            catch (IOException ex) when (ex.InnerException is AddressInUseException && attempt < 5)
            {
                // Another process took the port between the probe and the bind: take another one.
            }
        }
    }

    public Task<TestResponse> ConfirmAsync(string kind) =>
        App.Host.PostAsync($"{World.AccountPath}/connections", World.Token, new { team = Team, kind });

    public Task<TestResponse> RegisterCredentialAsync(FakeAppStoreConnectKey key) => App.Host.PostAsync(
        $"{IntegrationPath}/credential", OperatorToken, new { issuerId = key.IssuerId, keyId = key.KeyId, privateKey =
            key.PrivateKeyPem });

    public async Task<IntegrationStatusResponse> StatusAsync()
    {
        var response = await App.Host.GetAsync(IntegrationPath, World.Token);
        Assert.True(response.Status == 200, response.ToString());
        return response.As<IntegrationStatusResponse>();
    }

    /// <summary>Polls the status endpoint, as the SPA does, until <paramref name="done"/> holds (30 s guard).</summary>
    public Task<IntegrationStatusResponse> WaitForStatusAsync(Func<IntegrationStatusResponse, bool> done) =>
        Polling.UntilAsync(StatusAsync, done);

    public async Task<OrchestrationMetadata> WaitForCompletionAsync()
    {
        // a loaded 2-core machine can be slow; a healthy run takes a second
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        return await Durable.Client.WaitForInstanceCompletionAsync(InstanceId, getInputsAndOutputs: true, guard.Token);
    }

    /// <summary>The integration user accepted the invitation with these roles, and operators registered its API
    /// key.</summary>
    public async Task<FakeAppStoreConnectKey> OperatorsAcceptAsync(params string[] roles)
    {
        Asc.Invite(IntegrationEmail, roles);
        Asc.AcceptInvitation(IntegrationEmail);
        var key = Asc.CreateKey();
        var registered = await RegisterCredentialAsync(key);
        Assert.True(registered.Status == 200, registered.ToString());
        return key;
    }

    /// <summary>
    /// Records an attempt (with operators' key, if given, registered after it) and starts its orchestration with a
    /// deadline moments away, as the confirm endpoint would with one days away.
    /// </summary>
    public async Task StartWithDeadlineAsync(
        IntegrationKind kind, TimeSpan untilDeadline, FakeAppStoreConnectKey? key = null, int roundsPerExecution = 24)
    {
        var store = App.Get<IntegrationStore>();
        var now = DateTimeOffset.UtcNow;
        var (_, row) = await store.BeginAttemptAsync(
            World.AccountId, Team, kind, IntegrationEmail, now, now + untilDeadline, CancellationToken.None);
        if (key is not null)
        {
            var reference = await App.Get<AppStoreConnectCredentialStore>().SaveAsync(
                "asc-test", new(key.IssuerId, key.KeyId, key.PrivateKeyPem), CancellationToken.None);
            await store.SetCredentialAsync(World.AccountId, ConnectionId, reference, now, CancellationToken.None);
            // As the operators' endpoint does: with the key, nothing waits on operators.
            await store.UpdateAttemptAsync(World.AccountId, ConnectionId, row.AttemptId!,
                r => r.Status = nameof(IntegrationStatus.Verifying), CancellationToken.None);
        }
        var attempt = new IntegrationAttempt(World.AccountId, ConnectionId, row.AttemptId!, kind, IntegrationEmail,
            row.Deadline, TimeSpan.FromMilliseconds(300), 3, TimeSpan.FromMilliseconds(50),
            RoundsPerExecution: roundsPerExecution);
        await Durable.Client.ScheduleNewOrchestrationInstanceAsync(
            nameof(IntegrationSetupFunctions.IntegrationSetup), attempt, new StartOrchestrationOptions(InstanceId));
    }

    public IReadOnlyList<SentEmail> EmailsTo(string subjectPart) =>
        SendGrid.Emails.Where(e => e.Subject.Contains(subjectPart, StringComparison.Ordinal)).ToList();

    public Task<IntegrationEntity?> ConnectionAsync() =>
        App.Get<IntegrationStore>().GetConnectionAsync(World.AccountId, ConnectionId, CancellationToken.None);

    public int UserLookups => Asc.Requests.Count(r => r.Path == "/v1/users");

    public async ValueTask DisposeAsync()
    {
        await Durable.DisposeAsync();
        await App.DisposeAsync();
        await Asc.DisposeAsync();
        await SendGrid.DisposeAsync();
    }
}
