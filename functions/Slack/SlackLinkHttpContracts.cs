namespace ReviewHub.Slack;

public sealed record SlackLinkRequest(string? Token) : Http.IValidatable
{
    public void Validate(Http.ValidationErrors errors) => errors.Required(Token, "token", 1000);
}

public sealed record SlackLinkResponse(string TeamId, string SlackUserId, string UserId, DateTimeOffset LinkedAt);
