using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace ReviewHub.Tests.Observability;

/// <summary>Measurements of one meter instance (other tests' meters running in parallel are ignored).</summary>
internal sealed class RecordedMeasurements : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly ConcurrentQueue<(string Name, double Value, string Tags)> measurements = new();

    public RecordedMeasurements(Meter meter)
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Record(i, value, tags));
        listener.SetMeasurementEventCallback<int>((i, value, tags, _) => Record(i, value, tags));
        listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Record(i, value, tags));
        listener.Start();
    }

    public IReadOnlyList<string> Lines =>
        measurements.Select(m => $"{m.Name} {m.Value.ToString(CultureInfo.InvariantCulture)}{m.Tags}").ToList();

    public IReadOnlyList<string> Names => measurements.Select(m => m.Name).Distinct().ToList();

    public IReadOnlyList<double> Values(string name) =>
        measurements.Where(m => m.Name == name).Select(m => m.Value).ToList();

    /// <summary>Sum of <paramref name="name"/>'s measurements carrying every one of <paramref name="tags"/>
    /// ("key=value").</summary>
    public double Sum(string name, params string[] tags) => measurements
        .Where(m => m.Name == name && tags.All(t => $"{m.Tags} ".Contains($" {t} ", StringComparison.Ordinal)))
        .Sum(m => m.Value);

    /// <summary>The "name value tags" lines of one instrument, in order.</summary>
    public IReadOnlyList<string> LinesOf(string name) =>
        Lines.Where(l => l.StartsWith(name + " ", StringComparison.Ordinal)).ToList();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var text = string.Concat(tags.ToArray().Select(t => $" {t.Key}={t.Value}"));
        measurements.Enqueue((instrument.Name, value, text));
    }

    public void Dispose() => listener.Dispose();
}
