using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReviewHub.Integrations;

/// <summary>
/// Reads and writes an event record of the setup orchestration by its primary constructor, and reads the bare
/// <c>true</c> that builds before the records raised as the record with every field null. Why: a raised event stays in
/// the history of its orchestration, which is replayed by whatever build runs next, and a setup waits up to three
/// working days; without this, a setup in flight at a deployment would fail replaying an old <c>true</c>. The record's
/// own attribute names this converter, so the object case is read by hand (asking the serializer for the record
/// would come back here).
/// </summary>
internal sealed class SetupEventJsonConverter<TEvent> : JsonConverter<TEvent>
    where TEvent : class
{
    private static readonly ConstructorInfo Constructor = typeof(TEvent).GetConstructors().Single();
    private static readonly ParameterInfo[] Parameters = Constructor.GetParameters();

    public override TEvent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.True)
        {
            return (TEvent)Constructor.Invoke(new object?[Parameters.Length]);
        }
        using var document = JsonDocument.ParseValue(ref reader);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"A {typeof(TEvent).Name} is a JSON object (or true, from an earlier build).");
        }
        var fields = document.RootElement.EnumerateObject().ToList();
        var arguments = Parameters.Select(parameter =>
            fields.Find(field => string.Equals(field.Name, parameter.Name, StringComparison.OrdinalIgnoreCase))
                is { Value.ValueKind: not JsonValueKind.Undefined } found
                ? found.Value.Deserialize(parameter.ParameterType, options)
                : null).ToArray();
        return (TEvent)Constructor.Invoke(arguments);
    }

    public override void Write(Utf8JsonWriter writer, TEvent value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(options);
        writer.WriteStartObject();
        foreach (var parameter in Parameters)
        {
            var name = parameter.Name!;
            writer.WritePropertyName(options.PropertyNamingPolicy?.ConvertName(name) ?? name);
            JsonSerializer.Serialize(writer, typeof(TEvent).GetProperty(name)!.GetValue(value),
                parameter.ParameterType, options);
        }
        writer.WriteEndObject();
    }
}
