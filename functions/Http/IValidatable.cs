namespace ReviewHub.Http;

/// <summary>A request body that knows its own rules; <see cref="JsonRequest"/> runs them before any handler
/// code.</summary>
internal interface IValidatable
{
    void Validate(ValidationErrors errors);
}
