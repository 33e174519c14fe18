import { CidrPeer } from '../../lib/platform/cidr-peer';

describe('CidrPeer', () => {
  test('selects an address block, with exceptions when given', () => {
    expect(new CidrPeer('api-server', '10.0.0.1/32').toNetworkPolicyPeer()).toEqual({ ipBlock: { cidr: '10.0.0.1/32', except: undefined } });
    expect(new CidrPeer('internet', '0.0.0.0/0', ['10.0.0.0/8']).toNetworkPolicyPeer()).toEqual({ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } });
  });

  test('fails on something that is not an IPv4 CIDR', () => {
    expect(() => new CidrPeer('api-server', 'kubernetes.default')).toThrow('api-server: "kubernetes.default" is not an IPv4 CIDR such as 10.0.0.1/32');
  });
});
