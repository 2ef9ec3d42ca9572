using Xunit.Abstractions;

namespace ReviewHub.Tests.Simulation;

/// <summary>
/// Issue 11 item 8: every feature together for 30 simulated days (see <see cref="MonthScenario"/>), then the books. The
/// same run is the benchmark command <c>month</c>, which takes larger sizes.
/// </summary>
public sealed class MonthSimulationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_simulated_month_of_every_feature_together_balances_its_books()
    {
        var books = await MonthSimulation.RunAsync(new MonthOptions(), output.WriteLine);

        var failed = books.Lines.Where(l => l.StartsWith("FAIL", StringComparison.Ordinal)).Append(books.ResultLine);
        Assert.True(books.Balanced, string.Join('\n', failed));
        Assert.Contains(" duplicates=0 lost=0 orphans=0 ", books.ResultLine, StringComparison.Ordinal);
        Assert.Contains(" overwritten_human_replies=0 ", books.ResultLine, StringComparison.Ordinal);
        Assert.Contains(" reply_events_lost=0 reply_event_duplicates=0", books.ResultLine, StringComparison.Ordinal);
        // The feed probe is on (the default) and busy integrated apps use it: no duplicate and no loss above with it.
        Assert.True(books.ProbeFirst > 0, books.ResultLine);
    }
}
