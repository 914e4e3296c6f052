package ebm4j.compute;

/**
 * The per-run constants of the hybrid loss
 * {@code L = CE(s_real, y) + genWeight * (mean E_real - mean E_sample)
 *           + l2Weight * (mean E_real^2 + mean E_sample^2)},
 * with {@code E = energySign * LogSumExp(s)}.
 *
 * @param energySign +1 for the reference convention (E = LSE), -1 for JEM (E = -LSE)
 * @param genWeight  weight of the contrastive term; 0 trains a plain classifier
 * @param l2Weight   weight of the energy-magnitude penalty; 0 is off (the reference)
 */
public record HybridLossSpec(float energySign, float genWeight, float l2Weight) {
    public static final HybridLossSpec REFERENCE = new HybridLossSpec(1f, 1f, 0f);
}
