using System.Diagnostics;
using System.Globalization;
using ReviewHub.Apps;
using ReviewHub.Integrations;
using ReviewHub.Tests.Integrations;

namespace ReviewHub.Benchmarks;

/// <summary>
/// Connects a team of five apps (one macOS) both ways against the fakes, from the card to Active, and counts the API
/// calls each side makes: the invitation (the customer's "I've invited" and registration of the team's other apps; the
/// operators' key registration) and the team key (the customer's upload and the registration). Seconds run from the
/// last required action to Active.
/// <c>dotnet run -c Release --project tests/ReviewHub.Benchmarks -- connect</c>
/// </summary>
internal sealed class ConnectBenchmark : IBenchmark
{
    public string Name => "connect";

    public async Task<int> RunAsync(string[] args)
    {
        var invite = await RunWayAsync(teamKey: false);
        var key = await RunWayAsync(teamKey: true);
        Console.WriteLine($"invitation: customer {invite.Customer}, operators {invite.Operators}, " +
            $"{invite.Seconds:F2} s to active, {invite.Apps} apps");
        Console.WriteLine($"team key:   customer {key.Customer}, operators {key.Operators}, " +
            $"{key.Seconds:F2} s to active, {key.Apps} apps");
        if (invite.Apps != 5 || key.Apps != 5)
        {
            Console.Error.WriteLine("A way did not connect all five apps.");
            return 1;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT apps={invite.Apps} customer_actions={invite.Customer} operator_actions={invite.Operators} " +
            $"invite_seconds_to_active={invite.Seconds:F2} team_key_seconds_to_active={key.Seconds:F2} " +
            $"team_key_customer_actions={key.Customer} team_key_operator_actions={key.Operators}"));
        return 0;
    }

    private sealed record Way(int Apps, int Customer, int Operators, double Seconds);

    private static async Task<Way> RunWayAsync(bool teamKey)
    {
        await using var h = await IntegrationHarness.StartAsync();
        h.Asc.AddApp("910000001", "Acme Mac", "com.acme.mac", "MAC_OS");
        h.Asc.AddApp("910000002", "Acme Notes", "com.acme.notes", "IOS", "MAC_OS");
        h.Asc.AddApp("910000003", "Acme Tasks", "com.acme.tasks", "IOS");
        h.Asc.AddApp("910000004", "Acme Watch", "com.acme.watch", "IOS");
        int customer = 0, operators = 0;
        Stopwatch clock;
        if (teamKey)
        {
            var key = h.Asc.CreateKey();
            clock = Stopwatch.StartNew();
            Expect(202, await h.App.Host.PostAsync($"{h.World.AccountPath}/connections/team-key", h.World.Token, new
            {
                team = IntegrationHarness.Team, kind = "fullAccess", issuerId = key.IssuerId, keyId = key.KeyId,
                privateKey = key.PrivateKeyPem,
            }));
            customer++;
        }
        else
        {
            // In App Store Connect, not a ReviewHub call.
            h.Asc.Invite(h.IntegrationEmail, [AppStoreConnectRoles.Admin]);
            Expect(202, await h.ConfirmAsync("fullAccess"));
            customer++;
            h.Asc.AcceptInvitation(h.IntegrationEmail);
            var key = h.Asc.CreateKey();
            clock = Stopwatch.StartNew();
            Expect(200, await h.RegisterCredentialAsync(key));
            operators++;
        }
        await h.WaitForStatusAsync(s => s.Status == "active");
        var seconds = clock.Elapsed.TotalSeconds;

        Expect(200, await h.App.Host.PostAsync($"{h.IntegrationPath}/apps", h.World.Token,
            new { territories = new[] { "USA" } }));
        customer++;
        var store = h.App.Get<IntegrationStore>();
        var apps = 0;
        foreach (var app in await h.App.Get<AppStore>().ListAsync(h.World.AccountId, CancellationToken.None))
        {
            if (await store.GetAsync(h.World.AccountId, app.AppId, CancellationToken.None) is { IsActive: true })
            {
                apps++;
            }
        }
        return new Way(apps, customer, operators, seconds);
    }

    private static void Expect(int status, Tests.Infrastructure.TestResponse response)
    {
        if (response.Status != status)
        {
            throw new InvalidOperationException($"Expected {status}: {response}");
        }
    }
}
