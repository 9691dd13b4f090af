"""The HTTP face of a cluster: werkzeug app, Go-compatible decoding, Consul's headers."""
