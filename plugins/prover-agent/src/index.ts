// The prover-agent plugin's public entry.
export { proverAgentPlugin, type ProverAgentConfig } from './plugin.js';
export { ProvingAgent, NonRetryableProvingError, type ProvingAgentOptions, type ProvingAgentStats, type ProveFunction, type AgentLogger } from './agent.js';
