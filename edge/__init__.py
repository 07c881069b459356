"""The Kakashi service: configuration, supervision, storage, uplink, web page and CLI."""
