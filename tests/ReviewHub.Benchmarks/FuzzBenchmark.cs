using System.Diagnostics;
using ReviewHub.Tests.Fuzz;

namespace ReviewHub.Benchmarks;

/// <summary>
/// The long run of the contract fuzzer (tests/ReviewHub.Tests/Fuzz): requests generated from docs/openapi.yaml against
/// the real functions on their own Azurite. Options: --requests N (default 20000), --seed N (default random; printed,
/// to replay). Exit code 0 only when no request answered 5xx, none wrote on a 4xx and every response was documented.
/// </summary>
internal sealed class FuzzBenchmark : IBenchmark
{
    public string Name => "fuzz";

    public async Task<int> RunAsync(string[] args)
    {
        var requests = (int)Option(args, "--requests", 20_000);
        var seed = (ulong)Option(args, "--seed", Random.Shared.NextInt64());
        Console.WriteLine($"contract fuzz: {requests} requests generated from docs/openapi.yaml, seed {seed}");
        await using var fuzzer = await ContractFuzzer.StartAsync();
        var stopwatch = Stopwatch.StartNew();

        var result = await fuzzer.RunAsync(
            requests,
            seed,
            progress: line => Console.WriteLine($"  {stopwatch.Elapsed:mm\\:ss} {line}")
        );

        Console.WriteLine(
            $"{result.Requests} requests in {stopwatch.Elapsed.TotalSeconds:F0} s "
                + $"({result.Requests / stopwatch.Elapsed.TotalSeconds:F0}/s)"
        );
        Console.WriteLine("statuses: " + string.Join(", ", result.Statuses.Select(s => $"{s.Key}×{s.Value}")));
        Console.WriteLine("operations: " + string.Join(", ", result.Operations.Select(o => $"{o.Key}×{o.Value}")));
        foreach (var finding in result.Findings)
        {
            Console.WriteLine(finding);
        }
        Console.WriteLine(result.ResultLine);
        return result.Clean && result.Requests == requests ? 0 : 1;
    }

    private static long Option(string[] args, string name, long fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length && long.TryParse(args[index + 1], out var value)
            ? value
            : fallback;
    }
}
