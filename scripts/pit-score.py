#!/usr/bin/env python3
# Merges PIT's reports of the core module (unit tests) and the sim module (scenario and simulation
# tests) into one mutation score: a mutant counts as killed when either suite killed it.
import xml.etree.ElementTree as ET, collections, sys
def load(p):
    r={}
    for m in ET.parse(p).getroot():
        key=(m.findtext('mutatedClass'),m.findtext('mutatedMethod'),m.findtext('methodDescription'),m.findtext('lineNumber'),m.findtext('mutator'),m.findtext('indexes') or ET.tostring(m.find('indexes') if m.find('indexes') is not None else m).decode()[:0], m.findtext('description'))
        r[key]=(m.get('status'), m.get('detected')=='true')
    return r
a=load('paxlog-sim/target/pit-reports/mutations.xml')
b=load('paxlog-core/target/pit-reports/mutations.xml')
per=collections.defaultdict(lambda:[0,0]); surv=[]
for k in set(a)|set(b):
    det = (a.get(k,('',False))[1]) or (b.get(k,('',False))[1])
    cls=k[0].split('.')[-1]
    per[cls][0]+=1; per[cls][1]+=det
    if not det: surv.append((cls,k[1],k[3],k[6]))
tot=sum(v[0] for v in per.values()); kil=sum(v[1] for v in per.values())
print("TOTAL", kil, "/", tot, "%.1f%%"%(100*kil/tot))
proto={'Acceptor','Replica','Leader','Takeover','Candidate','Outbox','EntryLog','Proposal','Peer'}
pt=sum(v[0] for c,v in per.items() if c.split('$')[0] in proto); pk=sum(v[1] for c,v in per.items() if c.split('$')[0] in proto)
print("PROTOCOL", pk, "/", pt, "%.1f%%"%(100*pk/pt))
for c,v in sorted(per.items()): print("  %-30s %d/%d"%(c,v[1],v[0]))
if '--survivors' in sys.argv:
    for s in sorted(surv):
        if s[0].split('$')[0] in proto: print("SURV",s)
