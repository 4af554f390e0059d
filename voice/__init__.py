"""iWORKZ voice assistant: speech in, spoken answers out, through the agent's Chat."""
