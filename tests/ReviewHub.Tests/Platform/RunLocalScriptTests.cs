using System.Diagnostics;

namespace ReviewHub.Tests.Platform;

/// <summary>
/// scripts/run-local.sh installs Azure Functions Core Tools itself, locally; where that install cannot happen it stops
/// with instructions before setting anything up. The test makes the install fail the same way on every machine (an
/// unreachable registry on the loopback, an empty npm cache), so it never downloads or starts anything.
/// </summary>
public sealed class RunLocalScriptTests
{
    [Fact]
    public async Task Run_local_stops_with_instructions_when_core_tools_cannot_be_installed()
    {
        var tools = Directory.CreateTempSubdirectory("reviewhub-tools-");
        var npmCache = Directory.CreateTempSubdirectory("reviewhub-npm-cache-");
        var start = new ProcessStartInfo("bash", [Path.Combine(TestPaths.RepositoryRoot, "scripts", "run-local.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["REVIEWHUB_TOOLS_DIR"] = tools.FullName;
        start.Environment["npm_config_registry"] = "http://127.0.0.1:9/"; // the discard port: refused at once
        start.Environment["npm_config_cache"] = npmCache.FullName;
        start.Environment["npm_config_fetch_retries"] = "0";
        using var process = Process.Start(start)!;
        try
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token);

            Assert.Equal(1, process.ExitCode);
            var message = await errors;
            Assert.Contains("Azure Functions Core Tools 4.12.0 ('func') could not be installed", message);
            Assert.Contains("on a machine with internet access", message);
            Assert.Contains("npm error", message); // npm's own reason, not a guess
            // It stopped before the set-up: no npm ci, no settings file, no Azurite; the failed install is gone.
            Assert.DoesNotContain("Created local.settings.json", await output);
            Assert.Equal(["core-tools-4.12.0.log"],
                Directory.EnumerateFileSystemEntries(tools.FullName).Select(Path.GetFileName));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            tools.Delete(recursive: true);
            npmCache.Delete(recursive: true);
        }
    }
}
