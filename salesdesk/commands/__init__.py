"""The CLI's commands, one module per concern; ``salesdesk.cli`` assembles them."""
