package ebm4j.compute;

/**
 * The per-run constants of the hybrid loss
 * {@code L = CE(s_real, y) + genWeight * (mean E_real - mean E_sample)
 *           + l2Weight * (mean E_real^2 + mean E_sample^2)},
 * with {@code E = energySign * LogSumExp(s)}.
 *
 * @param energySign      +1 for the reference convention (E = LSE), -1 for JEM (E = -LSE)
 * @param genWeight       weight of the contrastive term; 0 trains a plain classifier. Negative, it
 *                        pushes the labelled rows' energy up as a sample's: translated copies as
 *                        negatives ({@code augment_target=classifier_negative})
 * @param l2Weight        weight of the energy-magnitude penalty; 0 is off (the reference)
 * @param energyNeutralCe whether each real row's cross-entropy gradient in score space,
 *                        {@code g = p - onehot(y)}, loses its component along {@code p = dLSE/ds}:
 *                        {@code g - (g.p / p.p) p}. Such a gradient leaves the row's LogSumExp,
 *                        and so its energy, unchanged to first order in the scores; a step of
 *                        the last layer's weights and bias along one row's gradient leaves that
 *                        row's energy unchanged to first order exactly (their Jacobian product
 *                        is a multiple of the identity). The classifier learns from those rows
 *                        without making them likelier. Used for translated copies
 *                        ({@code augment_target=classifier_projected}).
 */
public record HybridLossSpec(float energySign, float genWeight, float l2Weight, boolean energyNeutralCe) {
    public static final HybridLossSpec REFERENCE = new HybridLossSpec(1f, 1f, 0f);

    /** The loss with the plain cross-entropy. */
    public HybridLossSpec(float energySign, float genWeight, float l2Weight) {
        this(energySign, genWeight, l2Weight, false);
    }
}
