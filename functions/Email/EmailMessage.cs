namespace ReviewHub.Email;

internal sealed record EmailMessage(IReadOnlyList<string> To, string Subject, string PlainText, string Html);
