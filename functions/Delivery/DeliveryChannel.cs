namespace ReviewHub.Delivery;

internal enum DeliveryChannel { Slack, Email, Zendesk, Webhook }
