namespace PoseKD.Geometry.Bop;

/// <summary>Recalls of one object (or of all objects together): targets, ADD(-S)@0.1d, AR_MSSD, AR_MSPD (fractions in [0, 1]).</summary>
/// <param name="ObjId">Object id, or −1 for all objects.</param>
/// <param name="Targets">Number of ground-truth instances to find.</param>
/// <param name="AddRecall">Fraction matched with ADD(-S) &lt; 0.1·d.</param>
/// <param name="ArMssd">Mean over the MSSD thresholds of the recall.</param>
/// <param name="ArMspd">Mean over the MSPD thresholds of the recall.</param>
public sealed record BopObjectScores(int ObjId, int Targets, double AddRecall, double ArMssd, double ArMspd);
