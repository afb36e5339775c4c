/** Software KVM: the Linux KVM ARM API on the @armvm/arm CPU. */
export {};
