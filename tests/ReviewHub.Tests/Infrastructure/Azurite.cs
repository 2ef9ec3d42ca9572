using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ReviewHub.Tests.Infrastructure;

/// <summary>
/// One real Azurite for the whole test run, started from the repository's pinned npm package, in memory, on free ports
/// (so an Azurite already listening on the default ports does not interfere). REVIEWHUB_TEST_STORAGE overrides it
/// with any storage connection string.
/// </summary>
internal static class Azurite
{
    private const string AccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly Lazy<Task<string>> Shared = new(() =>
        StartAsync(Environment.GetEnvironmentVariable("REVIEWHUB_TEST_STORAGE")));
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Isolated = new();

    public static Task<string> ConnectionStringAsync() => Shared.Value;

    /// <summary>
    /// A second, private Azurite for one test class whose code under test scans a whole table (a timer over an index of
    /// every app's in-flight work): rows of tests running in parallel elsewhere must not be in its way, nor it in
    /// theirs.
    /// </summary>
    public static Task<string> IsolatedConnectionStringAsync(string name) =>
        Isolated.GetOrAdd(name, _ => new Lazy<Task<string>>(() => StartAsync(configured: null))).Value;

    private static async Task<string> StartAsync(string? configured)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        var azurite = Path.Combine(TestPaths.RepositoryRoot, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(azurite))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed at {azurite}. Run 'npm ci' in the repository root (the test script does).");
        }

        int blob = FreePort(), queue = FreePort(), table = FreePort();
        // Azurite runs under a shell that kills it when our end of its stdin closes, which the OS does whenever this
        // process ends: the test host often ends without raising ProcessExit, and Azurite must not outlive the run.
        var process = Process.Start(new ProcessStartInfo("bash",
            ["-c", "node \"$@\" & azurite=$!; cat > /dev/null; kill $azurite", "azurite", azurite, "--silent",
            "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry",
             "--blobHost", "127.0.0.1", "--blobPort", $"{blob}", "--queueHost", "127.0.0.1", "--queuePort", $"{queue}",
             "--tableHost", "127.0.0.1", "--tablePort", $"{table}"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("Could not start node for Azurite.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(process);

        foreach (var port in new[] { blob, queue, table })
        {
            await WaitForPortAsync(process, port);
        }

        return $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
               $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/" +
                   $"devstoreaccount1;" +
               $"TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";
    }

    private static async Task WaitForPortAsync(Process process, int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {process.ExitCode} before listening.");
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"Azurite did not listen on port {port} within 60 s.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
