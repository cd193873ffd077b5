"""The Textual front end. Imported lazily by the CLI, so commands never pay for Textual."""
