using ReviewHub.Tests.Simulation;

namespace ReviewHub.Benchmarks;

/// <summary>
/// The simulated month of issue 11 (the same run as <c>MonthSimulationTests</c>), with sizes from the command line:
/// <c>--days 30 --seed 1130 --history 30 --reviews-per-day 4 --parallelism 4 --duplicates 0.05 --redeliveries 0.03</c>.
/// Exits 1 when the books do not balance.
/// </summary>
internal sealed class MonthBenchmark : IBenchmark
{
    public string Name => "month";

    public async Task<int> RunAsync(string[] args)
    {
        // The Durable test host's gRPC sidecar logs every request to the console at Information; its host reads this
        // setting.
        Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
        var books = await MonthSimulation.RunAsync(MonthOptions.Parse(args), Console.WriteLine);
        return books.Balanced ? 0 : 1;
    }
}
